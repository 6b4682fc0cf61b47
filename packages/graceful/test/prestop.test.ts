import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { get, startApp } from './support/child.js';

const app = fileURLToPath(new URL('./fixtures/app.js', import.meta.url));

test('the preStop httpGet hook on the probe port starts the drain, is held for drainDelay, then SIGTERM adds no delay', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '700', ZERODROP_PROBE_PORT: '0' } });
  t.after(() => replica.kill());
  const probePort = replica.announce.probePort as number;
  const hookAt = Date.now();
  const hook = get(`http://127.0.0.1:${probePort}/health/prestop`);
  await replica.waitFor((l) => l.fixture === 'draining');
  assert.equal((await get(`http://127.0.0.1:${replica.port}/health/ready`)).status, 503, 'draining from the hook on');
  const answer = await hook;
  const heldFor = Date.now() - hookAt;
  assert.equal(answer.status, 200);
  assert.ok(heldFor >= 650, `hook answered after ${heldFor} ms, before the drain delay`);
  const sigtermAt = replica.signal('SIGTERM');
  const exit = await replica.exited;
  assert.equal(exit.code, 0);
  assert.ok(exit.at - sigtermAt < 500, `SIGTERM added a second delay (${exit.at - sigtermAt} ms)`);
  assert.equal((await replica.waitFor((l) => l.event === 'draining')).reason, 'prestop');
});

test('without a token the prestop path is no route on the app port: the app answers it, the drain does not start', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '200', ZERODROP_PROBE_PORT: '0' } });
  t.after(() => replica.kill());
  const base = `http://127.0.0.1:${replica.port}`;
  const unknown = await get(`${base}/no-such-page`, { method: 'POST', body: 'x' });
  for (const method of ['GET', 'POST', 'DELETE', 'PUT']) {
    const init = method === 'GET' || method === 'DELETE' ? { method } : { method, body: 'x' };
    const answer = await get(`${base}/health/prestop`, init);
    // Exactly what the app answers for any other path (the fixture: 200 "ok"), so nothing reveals the route.
    assert.equal(answer.status, unknown.status, method);
    assert.equal(answer.body, unknown.body, method);
    assert.equal(answer.headers.get('allow'), null, method);
  }
  assert.equal((await get(`${base}/health/ready`)).status, 200, 'still ready');
  assert.equal(replica.lines.filter((l) => l.fixture === 'draining').length, 0);
});

test('with a token the prestop path works on the app port, only with the right token (header or query)', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '300', ZERODROP_PRESTOP_TOKEN: 's3cret' } });
  t.after(() => replica.kill());
  const base = `http://127.0.0.1:${replica.port}/health/prestop`;
  assert.equal((await get(base)).status, 403);
  assert.equal((await get(`${base}?token=wrong`)).status, 403);
  assert.equal((await get(base, { headers: { 'x-zerodrop-prestop-token': 's3cre' } })).status, 403);
  assert.equal((await get(`http://127.0.0.1:${replica.port}/health/ready`)).status, 200, 'refused hooks do not drain');
  const startedAt = Date.now();
  const ok = await get(`${base}?token=s3cret`);
  assert.equal(ok.status, 200);
  assert.ok(Date.now() - startedAt >= 250);
  assert.equal((await replica.exited).code, 0);
});
