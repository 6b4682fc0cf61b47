import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { resolveProbe } from '@zerodrop/core';
import { execCheck, grpcCheck, httpCheck, ProbeThreshold, ProbeWorker, runHandler, tcpCheck } from '../src/probe.js';

let server: http.Server;
let port: number;

/** A port that was free a moment ago: nothing listens on it. */
async function freePortWithNothing(): Promise<number> {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const free = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return free;
}
let status = 200;
const userAgents: string[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    userAgents.push(req.headers['user-agent'] ?? '');
    if (req.url === '/hang') return;
    res.statusCode = req.url === '/redirect' ? 302 : req.url === '/toggle' ? status : 200;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe('handlers', () => {
  test('httpGet: 200-399 succeed, others and timeouts fail; the User-Agent says kube-probe', async () => {
    status = 503;
    assert.equal(await httpCheck(port, '/ok', 1000, 'kube-probe/x'), true);
    assert.equal(await httpCheck(port, '/redirect', 1000, 'kube-probe/x'), true);
    assert.equal(await httpCheck(port, '/toggle', 1000, 'kube-probe/x'), false);
    assert.equal(await httpCheck(port, '/hang', 100, 'kube-probe/x'), false);
    assert.ok(userAgents.includes('kube-probe/x'));
  });

  test('tcpSocket: success when something accepts', async () => {
    assert.equal(await tcpCheck(port, 1000), true);
    assert.equal(await tcpCheck(await freePortWithNothing(), 1000), false);
  });

  test('exec: exit code 0 succeeds, anything else, a missing command or a timeout fails; $PORT is set', async () => {
    assert.equal(await execCheck(['sh', '-c', 'test "$PORT" = 1234'], { PORT: '1234' }, 2000), true);
    assert.equal(await execCheck(['sh', '-c', 'exit 3'], {}, 2000), false);
    assert.equal(await execCheck(['no-such-command-zerodrop'], {}, 2000), false);
    assert.equal(await execCheck(['sleep', '5'], {}, 100), false);
  });

  test('every handler port means the replica port', async () => {
    const probe = resolveProbe({ httpGet: { path: '/ok', port: 8080 } });
    assert.equal(await runHandler(probe.handler!, { port, env: {} }, 1000), true);
  });
});

describe('ProbeThreshold (prober worker)', () => {
  test('readiness flips after successThreshold successes and failureThreshold failures in a row', () => {
    const t = new ProbeThreshold({ successThreshold: 2, failureThreshold: 3 }, 'failure');
    assert.equal(t.observe('success'), false);
    assert.equal(t.observe('success'), true);
    assert.equal(t.result, 'success');
    assert.equal(t.observe('failure'), false);
    assert.equal(t.observe('failure'), false);
    assert.equal(t.observe('success'), false, 'a success resets the failure run');
    assert.equal(t.observe('failure'), false);
    assert.equal(t.observe('failure'), false);
    assert.equal(t.observe('failure'), true);
    assert.equal(t.result, 'failure');
  });

  test('unknown (startup) reports both transitions', () => {
    const t = new ProbeThreshold({ successThreshold: 1, failureThreshold: 2 }, 'unknown');
    assert.equal(t.observe('failure'), false);
    assert.equal(t.observe('failure'), true);
    const u = new ProbeThreshold({ successThreshold: 1, failureThreshold: 2 }, 'unknown');
    assert.equal(u.observe('success'), true);
  });
});

describe('ProbeWorker', () => {
  test('probes every period divided by --speed and reports threshold changes', async () => {
    status = 200;
    const changes: string[] = [];
    const worker = new ProbeWorker({
      kind: 'readiness',
      probe: resolveProbe({ httpGet: { path: '/toggle' }, periodSeconds: 1, failureThreshold: 2 }),
      target: { port, env: {} },
      speed: 20, // a 50 ms period
      initial: 'failure',
      onChange: (r) => changes.push(r),
    });
    worker.start();
    const until = async (n: number) => {
      for (let i = 0; i < 200 && changes.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(1);
    assert.deepEqual(changes, ['success']);
    status = 500;
    await until(2);
    worker.stop();
    assert.deepEqual(changes, ['success', 'failure']);
  });

  test('ticks before initialDelaySeconds are skipped; the delay is real time, whatever --speed', async () => {
    const changes: number[] = [];
    const started = performance.now();
    const worker = new ProbeWorker({
      kind: 'readiness',
      probe: resolveProbe({ tcpSocket: {}, initialDelaySeconds: 0.3, periodSeconds: 1 }),
      target: { port, env: {} },
      speed: 10, // initial delay still 300 ms (the app starts at its real speed), period 100 ms
      initial: 'failure',
      onChange: () => changes.push(performance.now() - started),
    });
    worker.start();
    for (let i = 0; i < 200 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    worker.stop();
    assert.ok((changes[0] ?? 0) >= 290, `first success after the initial delay (${changes[0]} ms)`);
  });

  test('a startup probe fails only after its whole allowance in real time, however fast its ticks', async () => {
    const changes: number[] = [];
    const started = performance.now();
    const closed = await freePortWithNothing();
    const worker = new ProbeWorker({
      kind: 'startup',
      // 2 failures × 1 s: 2 s of allowance; at --speed 10 the ticks come every 100 ms.
      probe: resolveProbe({ tcpSocket: {}, periodSeconds: 1, failureThreshold: 2 }),
      target: { port: closed, env: {} },
      speed: 10,
      initial: 'unknown',
      onChange: () => changes.push(performance.now() - started),
    });
    worker.start();
    for (let i = 0; i < 500 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    worker.stop();
    assert.ok((changes[0] ?? 0) >= 1990, `failed after the allowance, not after 2 ticks (${changes[0]} ms)`);
  });
});

test('grpc: grpc.health.v1 Check over plaintext HTTP/2; SERVING succeeds, NOT_SERVING, errors and HTTP/1 fail', async (t) => {
  let serving = 1;
  let requested = '';
  const grpc = http2.createServer();
  grpc.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      requested = `${headers[':path']} ${body.subarray(7).toString()}`;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': serving === 0 ? '12' : '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, serving]));
    });
  });
  await new Promise<void>((resolve) => grpc.listen(0, '127.0.0.1', resolve));
  t.after(() => grpc.close());
  const grpcPort = (grpc.address() as net.AddressInfo).port;
  assert.equal(await grpcCheck(grpcPort, 'orders', 1000), true);
  assert.equal(requested, '/grpc.health.v1.Health/Check orders');
  serving = 2;
  assert.equal(await grpcCheck(grpcPort, '', 1000), false);
  serving = 0; // grpc-status UNIMPLEMENTED
  assert.equal(await grpcCheck(grpcPort, '', 1000), false);
  assert.equal(await grpcCheck(port, '', 1000), false);
  // In a rehearsal (every port is the replica's HTTP port) a grpc probe is a TCP connect.
  const probe = resolveProbe({ grpc: { port: 9090 } });
  assert.equal(await runHandler(probe.handler!, { port, env: {} }, 1000), true);
});
