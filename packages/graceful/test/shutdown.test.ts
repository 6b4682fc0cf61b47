import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sleep, startApp } from './support/child.js';
import { RawConnection } from './support/raw.js';

const app = fileURLToPath(new URL('./fixtures/app.js', import.meta.url));

test('the hard deadline cuts a stuck request: exit 1, and the log names what was cut', async (t) => {
  const replica = await startApp([app], {
    env: { ZERODROP_DRAIN_DELAY_MS: '100', ZERODROP_SHUTDOWN_TIMEOUT_MS: '800' },
  });
  t.after(() => replica.kill());
  const stuck = await RawConnection.connect(replica.port);
  const answer = stuck.get('/stuck?id=42').catch((e: Error) => e);
  await sleep(50);
  const sigtermAt = replica.signal('SIGTERM');
  const exit = await replica.exited;
  assert.equal(exit.code, 1);
  assert.ok(exit.at - sigtermAt >= 750 && exit.at - sigtermAt < 2500, `exit ${exit.at - sigtermAt} ms after SIGTERM`);
  const deadline = await replica.waitFor((l) => l.event === 'deadline');
  assert.equal(deadline.level, 'error');
  assert.equal(deadline.requests, 1);
  assert.equal(deadline.sockets, 1);
  assert.match(String(deadline.msg), /GET \/stuck\?id=42/);
  assert.ok((await answer) instanceof Error, 'the stuck client saw its connection cut');
});

test('cleanup hooks run after the drain, in order; a failing or hanging hook does not stop the next', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '100', FIXTURE_HOOKS: '1' } });
  t.after(() => replica.kill());
  const slow = await RawConnection.connect(replica.port);
  const response = slow.get('/slow?ms=400');
  await sleep(30);
  replica.signal('SIGTERM');
  assert.equal((await response).status, 200);
  const exit = await replica.exited;
  assert.equal(exit.code, 0);
  const events = replica.lines
    .filter(
      (l) => l.fixture === 'hook' || l.fixture === 'closing' || l.fixture === 'closed' || l.event === 'hook_failed',
    )
    .map((l) =>
      l.fixture === 'hook' ? `hook ${l.name}` : l.fixture ? String(l.fixture) : `failed ${l.hook}: ${l.error}`,
    );
  assert.deepEqual(events, [
    'closing',
    'hook first',
    'hook failing',
    'failed failing: pool already closed',
    'hook hanging',
    'failed hanging: timed out after 200 ms',
    'hook last',
    'closed',
  ]);
  const firstHook = replica.lines.find((l) => l.fixture === 'hook')!;
  const closing = replica.lines.find((l) => l.fixture === 'closing')!;
  assert.ok((firstHook.at as number) >= (closing.at as number) + 250, 'hooks wait for the in-flight request');
});

test('a second SIGTERM does not restart the drain', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '1000' } });
  t.after(() => replica.kill());
  const firstAt = replica.signal('SIGTERM');
  await replica.waitFor((l) => l.fixture === 'draining');
  await sleep(600);
  replica.signal('SIGTERM');
  const exit = await replica.exited;
  assert.equal(exit.code, 0);
  // A restarted delay would end 1600 ms after the first SIGTERM at the earliest.
  assert.ok(exit.at - firstAt < 1450, `the delay restarted: exit ${exit.at - firstAt} ms after the first SIGTERM`);
  const ignored = await replica.waitFor((l) => l.event === 'signal_ignored');
  assert.equal(ignored.signal, 'SIGTERM');
  assert.equal(replica.lines.filter((l) => l.fixture === 'draining').length, 1);
});

test('a second SIGINT forces an immediate exit with code 130', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '5000' } });
  t.after(() => replica.kill());
  replica.signal('SIGINT');
  await replica.waitFor((l) => l.fixture === 'draining');
  const secondAt = replica.signal('SIGINT');
  const exit = await replica.exited;
  assert.equal(exit.code, 130);
  assert.ok(exit.at - secondAt < 1000);
});

test('readiness answers 503 from the first termination sign while the app keeps serving', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '600' } });
  t.after(() => replica.kill());
  const client = await RawConnection.connect(replica.port);
  assert.equal((await client.get('/health/ready')).status, 200);
  replica.signal('SIGTERM');
  await replica.waitFor((l) => l.fixture === 'draining');
  const ready = await client.get('/health/ready');
  assert.equal(ready.status, 503);
  assert.equal(JSON.parse(ready.body).status, 'draining');
  assert.equal(ready.headers.connection, 'close');
  const other = await RawConnection.connect(replica.port);
  assert.equal((await other.get('/health/live')).status, 200);
  const page = await (await RawConnection.connect(replica.port)).get('/');
  assert.equal(page.status, 200);
  assert.equal(page.body, 'ok');
  assert.equal((await replica.exited).code, 0);
});
