import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, test } from 'node:test';
import {
  AFTER_SERVER,
  type AppProcess,
  BEFORE_SERVER,
  postJson,
  request,
  startApp,
  VALID_ORDER,
  waitForStatus,
} from './support/app.js';

/** Starts a POST /orders and sends all of the body but its last byte: the request stays in flight until `finish`. */
function inFlightOrder(port: number) {
  const body = JSON.stringify(VALID_ORDER);
  const req = http.request({
    host: '127.0.0.1',
    port,
    path: '/orders',
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', reject);
  });
  // Awaited later: mark it handled now, so a reset that comes first is not an unhandled rejection.
  response.catch(() => {});
  req.write(body.slice(0, -1));
  return { response, finish: () => req.end(body.slice(-1)) };
}

describe('termination', () => {
  const apps: AppProcess[] = [];
  after(async () => {
    await Promise.all(apps.map((app) => app.stop()));
  });

  test('SIGTERM: keeps serving with Connection: close through the drain delay, finishes in-flight work, exits 0', async () => {
    const app = await startApp(AFTER_SERVER, { DATABASE_URL: '', ZERODROP_DRAIN_DELAY_MS: '1500' });
    apps.push(app);
    await waitForStatus(app.port, '/health/ready');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = await postJson(app.port, VALID_ORDER, agent);
    assert.equal(before.status, 201);
    assert.equal(before.headers.connection, 'keep-alive');

    const slow = inFlightOrder(app.port);
    // The request has reached the app once its body started streaming; give the socket a moment to be accepted.
    await new Promise((r) => setTimeout(r, 200));
    app.child.kill('SIGTERM');
    await app.waitForLog(/"event":"draining"/);

    // Draining: still served, on the pinned keep-alive connection too, but every response closes its connection.
    const during = await postJson(app.port, VALID_ORDER, agent);
    assert.equal(during.status, 201);
    assert.equal(during.headers.connection, 'close');
    assert.equal((await request(app.port, '/health/ready')).status, 503);
    assert.equal((await request(app.port, '/health/live')).status, 200);

    // After the drain delay the listener closes; the request in flight still completes.
    await app.waitForLog(/"event":"closing"/);
    await assert.rejects(request(app.port, '/health/live'), { code: 'ECONNREFUSED' });
    slow.finish();
    assert.equal((await slow.response).status, 201);

    assert.deepEqual(await app.exited, { code: 0, signal: null });
    assert.match(app.stderr(), /"event":"closed","exitCode":0/);
    agent.destroy();
  });

  test('the "before" variant dies on SIGTERM at once and the request in flight is lost', async () => {
    const app = await startApp(BEFORE_SERVER, { DATABASE_URL: '' });
    apps.push(app);
    await waitForStatus(app.port, '/health');
    const slow = inFlightOrder(app.port);
    await new Promise((r) => setTimeout(r, 200));
    app.child.kill('SIGTERM');
    assert.deepEqual(await app.exited, { code: null, signal: 'SIGTERM' });
    slow.finish();
    await assert.rejects(slow.response, (error: NodeJS.ErrnoException) => {
      assert.ok(['ECONNRESET', 'EPIPE'].includes(error.code ?? ''), `${error.code}: ${error.message}`);
      return true;
    });
  });
});
