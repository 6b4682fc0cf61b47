import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { get, sleep, startApp } from './support/child.js';
import { L4Proxy } from './support/l4-proxy.js';
import { Load } from './support/load.js';
import { RawConnection } from './support/raw.js';

const app = fileURLToPath(new URL('./fixtures/app.js', import.meta.url));

test('keep-alive clients pinned through an L4 proxy see zero failures while the replica drains', async (t) => {
  const env = { ZERODROP_DRAIN_DELAY_MS: '1500', ZERODROP_PROBE_PORT: '0' };
  const [oldReplica, newReplica] = await Promise.all([startApp([app], { env }), startApp([app], { env })]);
  const proxy = await L4Proxy.start(oldReplica.port);
  t.after(async () => {
    await proxy.close();
    await Promise.all([oldReplica.kill(), newReplica.kill()]);
  });
  const probePort = oldReplica.announce.probePort as number;
  const load = new Load({ port: proxy.port, clients: 8, rate: 200, slowFraction: 0.2, slowMs: 300 }).start();
  await sleep(500);

  // Liveness and readiness of the old replica, polled on its probe port for the whole drain.
  // `at`: when the probes were sent, `done`: answered (a probe sent before the signal may be answered after it).
  const probes: { at: number; done: number; live: number; ready: number }[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const at = Date.now();
      const [live, ready] = await Promise.all([
        get(`http://127.0.0.1:${probePort}/health/live`).catch(() => ({ status: 0 })),
        get(`http://127.0.0.1:${probePort}/health/ready`).catch(() => ({ status: 0 })),
      ]);
      probes.push({ at, done: Date.now(), live: live.status, ready: ready.status });
      await sleep(50);
    }
  })();

  // A slow request in flight when SIGTERM arrives, on its own connection.
  const slowConnection = await RawConnection.connect(oldReplica.port);
  const slow = slowConnection.get('/slow?ms=1800');
  await sleep(50);
  const sigtermAt = oldReplica.signal('SIGTERM');
  setTimeout(() => proxy.route(newReplica.port), 500); // endpoint removal reaches the proxy later
  const draining = await oldReplica.waitFor((l) => l.fixture === 'draining');
  const slowResponse = await slow;
  const slowDoneAt = Date.now();
  const exit = await oldReplica.exited;
  polling = false;
  await poller;
  await sleep(300);
  const result = await load.stop();

  assert.equal(result.failed, 0, `failed requests: ${JSON.stringify(result.failures.slice(0, 5))}`);
  assert.ok(result.ok > 100, `load too small to prove anything: ${result.ok}`);
  assert.equal(slowResponse.status, 200, 'the slow in-flight request completes');
  assert.equal(slowResponse.headers.connection, 'close', 'and its response tells the client not to reuse the socket');
  assert.equal(exit.code, 0);
  const lastAnswer = Math.max(result.lastResponseAt.get(String(oldReplica.child.pid)) ?? 0, slowDoneAt);
  assert.ok(exit.at - lastAnswer < 1000, `exit ${exit.at - lastAnswer} ms after the last response`);
  assert.ok(exit.at - sigtermAt >= 1500, 'kept serving for the whole drain delay');

  // Answered ones only: at the exit the probe server goes, and one of a pair may be answered while the other is
  // refused (0).
  const afterSignal = probes.filter((p) => p.at > (draining.at as number) && p.live !== 0 && p.ready !== 0);
  // How many depends on how busy the machine is (one pair every 50 ms plus their time): at least one pair is the
  // behaviour; what they answered is checked below.
  assert.ok(
    afterSignal.length >= 1,
    `probes were answered during the drain: ${afterSignal.length} of ${probes.filter((p) => p.at > (draining.at as number)).length} pairs sent after it began`,
  );
  assert.ok(
    probes.every((p) => p.live === 200 || p.live === 0),
    'liveness stays 200 (0 = probe server gone after exit)',
  );
  assert.ok(
    afterSignal.every((p) => p.ready === 503),
    `readiness is 503 from the first termination sign: ${JSON.stringify(afterSignal.filter((p) => p.ready !== 503))}`,
  );
  assert.ok(
    probes.filter((p) => p.done < sigtermAt).every((p) => p.ready === 200),
    'readiness was 200 before',
  );
});

test('an idle keep-alive socket is still served after the listener closes, with Connection: close', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '200' } });
  t.after(() => replica.kill());
  const idle = await RawConnection.connect(replica.port);
  const first = await idle.get('/');
  assert.equal(first.headers.connection, 'keep-alive');
  replica.signal('SIGTERM');
  await replica.waitFor((l) => l.fixture === 'closing');
  await sleep(100);
  // The client reuses its idle socket right after the listener closed: it must not get a reset.
  const second = await idle.get('/');
  assert.equal(second.status, 200);
  assert.equal(second.headers.connection, 'close');
  await idle.closed;
  const exit = await replica.exited;
  assert.equal(exit.code, 0);
});

/** One idle keep-alive socket, then SIGTERM: ms from SIGTERM to a clean exit (asserted exit code 0). */
async function exitWithIdleSocket(t: { after: (fn: () => unknown) => void }, env: Record<string, string>) {
  const replica = await startApp([app], { env });
  t.after(() => replica.kill());
  const idle = await RawConnection.connect(replica.port);
  await idle.get('/');
  const sigtermAt = replica.signal('SIGTERM');
  await idle.closed;
  const exit = await replica.exited;
  assert.equal(exit.code, 0);
  return exit.at - sigtermAt;
}

test('an idle keep-alive socket that never sends again is closed after idleSocketTimeout, then the process exits', async (t) => {
  const ms = await exitWithIdleSocket(t, { ZERODROP_DRAIN_DELAY_MS: '100', ZERODROP_IDLE_SOCKET_TIMEOUT_MS: '400' });
  assert.ok(ms >= 350, `closed the idle socket too early (${ms} ms)`);
  assert.ok(ms < 3000, `exit ${ms} ms after SIGTERM`);
});

test('under ZERODROP_SPEED the default idle wait shrinks with the rehearsed time', async (t) => {
  // Server keepAliveTimeout 5 s by default; at speed 10 an idle keep-alive socket is let go after 0.5 s, so a
  // rehearsal whose grace period is divided by 10 is not held by a wall-clock wait.
  const ms = await exitWithIdleSocket(t, { ZERODROP_DRAIN_DELAY_MS: '1000', ZERODROP_SPEED: '10' });
  assert.ok(ms < 3500, `exit ${ms} ms after SIGTERM: the 5 s keep-alive wait was not scaled`);
});

test('with nothing in flight the process exits right after the drain delay', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '300' } });
  t.after(() => replica.kill());
  const sigtermAt = replica.signal('SIGTERM');
  const exit = await replica.exited;
  assert.equal(exit.code, 0);
  assert.ok(exit.at - sigtermAt >= 300 && exit.at - sigtermAt < 1300, `exit ${exit.at - sigtermAt} ms after SIGTERM`);
});

test('ZERODROP_SPEED divides the drain delay', async (t) => {
  const replica = await startApp([app], { env: { ZERODROP_DRAIN_DELAY_MS: '4000', ZERODROP_SPEED: '10' } });
  t.after(() => replica.kill());
  const sigtermAt = replica.signal('SIGTERM');
  const exit = await replica.exited;
  const draining = await replica.waitFor((l) => l.event === 'draining');
  assert.equal(draining.drainDelayMs, 400);
  assert.equal(exit.code, 0);
  assert.ok(exit.at - sigtermAt < 2500, `exit ${exit.at - sigtermAt} ms after SIGTERM`);
});
