import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { GracefulError } from '../src/index.js';
import { get, sleep } from './support/child.js';
import { RawConnection } from './support/raw.js';
import { startServer, stop } from './support/server.js';

test('live, ready and startup while starting, ready and draining', async (t) => {
  const app = await startServer({ manualReady: true });
  t.after(() => stop(app));
  assert.equal(app.handle.state, 'starting');
  assert.equal((await get(app.url('/health/live'))).status, 200);
  assert.equal((await get(app.url('/health/startup'))).status, 503);
  const starting = await get(app.url('/health/ready'));
  assert.equal(starting.status, 503);
  assert.equal(JSON.parse(starting.body).status, 'starting');
  assert.equal(starting.headers.get('cache-control'), 'no-store');

  app.handle.ready();
  assert.equal(app.handle.state, 'ready');
  assert.equal((await get(app.url('/health/startup'))).status, 200);
  assert.deepEqual(JSON.parse((await get(app.url('/health/ready'))).body), {
    status: 'ok',
    state: 'ready',
    checks: {},
  });

  const states: string[] = [];
  app.handle.on('state', (s) => states.push(s));
  const closed = app.handle.shutdown('test', { drainDelay: 300 });
  assert.equal((await get(app.url('/health/ready'))).status, 503);
  assert.equal((await get(app.url('/health/live'))).status, 200, 'liveness stays 200 while draining');
  assert.equal((await get(app.url('/health/startup'))).status, 200);
  assert.equal(app.handle.shutdown('again'), closed, 'a second shutdown() returns the same promise');
  const result = await closed;
  assert.equal(result.exitCode, 0);
  assert.equal(result.reason, 'test');
  assert.deepEqual(states, ['draining', 'closing', 'closed']);
});

test('the startup option gates started and ready until it resolves', async (t) => {
  let finishStartup!: () => void;
  const app = await startServer({ startup: () => new Promise<void>((resolve) => (finishStartup = resolve)) });
  t.after(() => stop(app));
  await sleep(20);
  assert.equal((await get(app.url('/health/startup'))).status, 503);
  const ready = new Promise((resolve) => app.handle.once('ready', () => resolve(true)));
  finishStartup();
  assert.equal(await ready, true);
  assert.equal((await get(app.url('/health/ready'))).status, 200);
});

test('a hung check fails at its timeout, gets an aborted signal, and never slows the probe beyond it', async (t) => {
  let aborted: unknown;
  const app = await startServer({
    checkTimeout: 150,
    checkCacheTtl: 0,
    checks: {
      hung: (signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => (aborted = signal.reason));
        }),
      fine: async () => {},
    },
  });
  t.after(() => stop(app));
  const started = Date.now();
  const res = await get(app.url('/health/ready'));
  const took = Date.now() - started;
  assert.equal(res.status, 503);
  assert.ok(took >= 140 && took < 800, `probe took ${took} ms`);
  assert.deepEqual(
    JSON.parse(res.body).checks,
    { hung: { status: 'fail' }, fine: { status: 'ok' } },
    'no details on the app port',
  );
  assert.ok(aborted instanceof GracefulError && aborted.code === 'ERR_ZERODROP_CHECK_TIMEOUT');
  assert.equal((await get(app.url('/health/live'))).status, 200, 'liveness never runs checks');
});

test('check results are cached and concurrent probes share one run', async (t) => {
  let runs = 0;
  const app = await startServer({
    checkCacheTtl: 300,
    checks: {
      counted: async () => {
        runs++;
        await sleep(50);
      },
    },
  });
  t.after(() => stop(app));
  const answers = await Promise.all(Array.from({ length: 20 }, () => get(app.url('/health/ready'))));
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(runs, 1);
  await get(app.url('/health/ready'));
  assert.equal(runs, 1, 'cached');
  await sleep(350);
  await get(app.url('/health/ready'));
  assert.equal(runs, 2, 'run again after the TTL');
});

test('error details: hidden on every port by default (a message can carry a password), shown when exposeDetails is set', async (t) => {
  const failing = {
    db: async () => Promise.reject(new Error('password authentication failed: postgres://app:hunter2@db:5432/app')),
    flag: () => false,
  };
  const hidden = await startServer({ checks: failing, probePort: 0, probeHost: '127.0.0.1' });
  const shown = await startServer({ checks: failing, exposeDetails: true });
  t.after(async () => {
    await stop(hidden);
    await stop(shown);
  });
  const onApp = JSON.parse((await get(hidden.url('/health/ready'))).body);
  assert.deepEqual(onApp.checks, { db: { status: 'fail' }, flag: { status: 'fail' } });
  if (!hidden.handle.probeServer!.listening) await new Promise((r) => hidden.handle.probeServer!.once('listening', r));
  const probePort = (hidden.handle.probeServer!.address() as AddressInfo).port;
  const onProbe = await get(`http://127.0.0.1:${probePort}/health/ready`);
  assert.deepEqual(JSON.parse(onProbe.body).checks, { db: { status: 'fail' }, flag: { status: 'fail' } });
  assert.doesNotMatch(onProbe.body, /hunter2/);
  assert.equal((await get(`http://127.0.0.1:${probePort}/other`)).status, 404, 'the probe port serves probes only');
  const details = JSON.parse((await get(shown.url('/health/ready'))).body).checks;
  assert.match(details.db.error, /hunter2/);
  assert.match(details.flag.error, /returned false/);
});

test('malformed requests to probe paths are answered, never crash the server', async (t) => {
  const app = await startServer({ paths: { ready: '/ready' } });
  t.after(() => stop(app));
  const post = await get(app.url('/ready'), { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  assert.equal((await get(app.url('/health/live'), { method: 'DELETE' })).status, 405);

  const head = await RawConnection.connect(app.port);
  const headAnswer = await head.send('HEAD /ready HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.equal(headAnswer.status, 200);
  assert.ok(Number(headAnswer.headers['content-length']) > 0, 'HEAD announces the length');
  // the next response on the same socket parses: the HEAD answer had no body
  assert.equal((await head.get('/health/live')).status, 200);
  head.close();

  const garbage = await RawConnection.connect(app.port);
  assert.equal((await garbage.send('\x00\x01\x02 not http at all\r\n\r\n')).status, 400);
  const huge = await RawConnection.connect(app.port);
  assert.equal((await huge.send(`GET /ready HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`)).status, 431);
  const weird = await RawConnection.connect(app.port);
  assert.equal((await weird.send('GET /ready?%%%zz&token HTTP/1.1\r\nhost: x\r\n\r\n')).status, 200);
  assert.equal((await get(app.url('/ready'))).status, 200, 'still serving');
  assert.equal((await get(app.url('/'))).status, 200);
});

test('options are validated with GracefulError codes and messages that say what to do', async () => {
  const { graceful } = await import('../src/index.js');
  const http = await import('node:http');
  const server = http.createServer();
  assert.throws(
    () => graceful(server, { drainDelay: 30_000, shutdownTimeout: 28_000 }),
    (e: unknown) =>
      e instanceof GracefulError && e.code === 'ERR_ZERODROP_OPTIONS' && /shorter than shutdownTimeout/.test(e.message),
  );
  assert.throws(() => graceful(server, { checkTimeout: -1 }), { code: 'ERR_ZERODROP_OPTIONS' });
  assert.throws(() => graceful(server, { paths: { ready: 'ready' } }), { code: 'ERR_ZERODROP_OPTIONS' });
  assert.throws(() => graceful(server, { checks: { db: 42 as never } }), { code: 'ERR_ZERODROP_OPTIONS' });
  assert.throws(() => graceful({} as never), { code: 'ERR_ZERODROP_SERVER' });
  const handle = graceful(server, { exit: false, signals: false, logger: false, pid1Warning: false });
  assert.throws(() => graceful(server), { code: 'ERR_ZERODROP_ALREADY_ATTACHED' });
  await handle.shutdown('test', { drainDelay: 0 });
});
