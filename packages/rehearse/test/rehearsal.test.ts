import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, test } from 'node:test';
import { rehearse } from '../src/rehearsal.js';
import { processesWith, waitGone } from './support/procs.js';
import { testSettings } from './support/settings.js';

/**
 * The rehearsal must leave none of the processes of its command behind. A process killed a moment ago may still be
 * on its way out (a cgroup's kill is delivered asynchronously), so the check gives the kernel a few seconds.
 */
async function noReplicaLeft(command: string[]): Promise<void> {
  const left = await waitGone(command.at(-1) ?? '', 3000);
  const what = left.map((pid) => {
    try {
      return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')} ${readFileSync(`/proc/${pid}/stat`, 'utf8')}`;
    } catch {
      return `${pid}: gone`;
    }
  });
  assert.deepEqual(what, [], 'no replica process survives the rehearsal');
}

describe('rehearsal behind kube-proxy (L4)', () => {
  test('an app without shutdown handling and no preStop drops requests', async () => {
    const settings = testSettings('naive');
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'completed');
    assert.equal(result.rollout.completed, true);
    assert.ok(result.requests.total > 150, `load ran (${result.requests.total})`);
    assert.ok(result.requests.failed > 0, 'requests failed');
    assert.equal(result.requests.byPhase.warmup.failed, 0, 'nothing fails before the rollout');
    assert.deepEqual(
      result.pods.map((p) => `${p.name}:${p.revision}`),
      ['old-1:old', 'old-2:old', 'new-1:new', 'new-2:new'],
    );
    for (const pod of result.pods.filter((p) => p.revision === 'old')) {
      assert.equal(pod.signal, 'SIGTERM', `${pod.name} died of the stop signal`);
    }
    assert.ok(
      result.failures.every((f) => f.pod === undefined || f.pod.startsWith('old')),
      'old pods failed them',
    );
    // Attributed to the timeline: the pods stopped before kube-proxy stopped sending them requests.
    const causes = result.attribution?.groups.map((g) => g.cause) ?? [];
    assert.ok(causes.includes('prestop'), JSON.stringify(result.attribution));
    assert.ok(
      causes.every((c) => c === 'prestop' || c === 'no-drain'),
      causes.join(),
    );
    assert.equal(
      result.attribution?.groups.reduce((a, g) => a + g.count, 0),
      result.requests.failed,
    );
    await noReplicaLeft(settings.command);
  });

  test('a draining app with a preStop sleep longer than the propagation drops nothing', async () => {
    const settings = testSettings('draining');
    settings.pod.preStop = { type: 'sleep', seconds: 3 };
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'completed');
    assert.equal(result.requests.failed, 0, JSON.stringify(result.failures.slice(0, 3)));
    assert.ok(result.requests.total > 150);
    assert.deepEqual(result.attribution?.groups, []);
    for (const pod of result.pods.filter((p) => p.revision === 'old')) {
      assert.equal(pod.exitCode, 0, `${pod.name} exited on its own`);
      const states = pod.events.map((e) => e.state);
      assert.ok(states.indexOf('prestop-done') < states.indexOf('stop-signal'));
    }
    assert.ok(
      result.pods.some((p) => p.revision === 'new' && p.requests.ok > 0),
      'the new pods took over',
    );
    assert.ok(result.rollout.durationMs > 0);
    await noReplicaLeft(settings.command);
  });

  test('an app that ignores SIGTERM is SIGKILLed at the end of the grace period, cutting what it serves', async () => {
    const settings = testSettings('ignores-sigterm');
    settings.pod.gracePeriodSeconds = 4;
    settings.load.mix = [{ path: '/slow?ms=150', share: 0.5 }];
    const result = await rehearse(settings);
    for (const pod of result.pods.filter((p) => p.revision === 'old')) {
      assert.equal(pod.signal, 'SIGKILL');
      assert.ok(pod.events.some((e) => e.state === 'killed'));
    }
    assert.ok(result.requests.failed > 0);
    const sigkill = result.attribution?.groups.find((g) => g.cause === 'sigkill');
    assert.ok(sigkill && sigkill.count > 0, JSON.stringify(result.attribution));
    assert.deepEqual(
      sigkill.rules.map((r) => r.id),
      ['grace-period-too-short', 'signals-not-forwarded'],
    );
    await noReplicaLeft(settings.command);
  });

  test('an app that never becomes ready: the progress deadline ends the rehearsal with the reason', async () => {
    const settings = testSettings('never-ready', 'kube-proxy', { progressDeadlineSeconds: 6 });
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'error');
    assert.match(
      result.outcome?.message ?? '',
      /never became ready: 0\/2 pod\(s\) Ready after progressDeadlineSeconds 6s/,
    );
    assert.match(result.outcome?.message ?? '', /waiting for the database/);
    assert.equal(result.requests.total, 0);
    await noReplicaLeft(settings.command);
  });

  test('an app that crashes on start: stopped at the first exit, with the app’s last output', async () => {
    const settings = testSettings('crashes');
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'error');
    assert.equal(result.outcome?.diagnosis?.code, 'exited');
    assert.match(result.outcome?.message ?? '', /^replica old-\d exited \(code 1\) before it became ready/);
    assert.deepEqual(result.outcome?.diagnosis?.output, ['fatal: DATABASE_URL is not set']);
    assert.ok(result.durationMs < 30_000, `diagnosed in ${result.durationMs} ms, not at a deadline`);
    await noReplicaLeft(settings.command);
  });

  test('a command that does not exist', async () => {
    const settings = testSettings('naive');
    settings.command = ['zerodrop-no-such-app', 'serve'];
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'error');
    assert.match(result.outcome?.message ?? '', /command not found: zerodrop-no-such-app/);
  });

  test('aborting stops the load and kills every replica; the result says it is partial', async () => {
    const abort = new AbortController();
    const settings = testSettings('ignores-sigterm');
    settings.pod.preStop = { type: 'sleep', seconds: 30 };
    const running = rehearse(settings, {
      signal: abort.signal,
      onEvent: (_at, what) => {
        if (what.includes('terminating')) abort.abort();
      },
    });
    const result = await running;
    assert.equal(result.outcome?.status, 'aborted');
    assert.equal(result.rollout.completed, false);
    await noReplicaLeft(settings.command);
  });
});

/** A port nothing listens on right now, for an app that insists on its own port. */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a broken app is diagnosed in seconds', () => {
  test('a fixed port: EADDRINUSE on the second replica, or the first listening elsewhere than $PORT', async () => {
    const settings = testSettings('fixed-port');
    settings.replicas = 3;
    settings.env = { FIXED_PORT: String(await freePort()) };
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'error');
    const diagnosis = result.outcome?.diagnosis;
    assert.ok(diagnosis?.code === 'exited' || diagnosis?.code === 'wrong-port', JSON.stringify(diagnosis));
    assert.match(diagnosis?.message ?? '', /fixed port.*make it listen on process\.env\.PORT/);
    if (diagnosis?.code === 'exited')
      assert.match(diagnosis.message, new RegExp(`EADDRINUSE :${settings.env.FIXED_PORT}`));
    assert.ok(result.durationMs < 30_000, `diagnosed in ${result.durationMs} ms`);
    await noReplicaLeft(settings.command);
  });

  test('one replica listening on another port than $PORT: named with the port it took', async () => {
    const settings = testSettings('fixed-port');
    settings.replicas = 1;
    const fixed = await freePort();
    settings.env = { FIXED_PORT: String(fixed) };
    const result = await rehearse(settings);
    assert.equal(result.outcome?.diagnosis?.code, 'wrong-port');
    assert.match(result.outcome?.message ?? '', new RegExp(`replica old-1 listens on :${fixed}, not on \\$PORT`));
    await noReplicaLeft(settings.command);
  });

  test('an app that listens on nothing and waits: diagnosed after about ten seconds, its output quoted', async () => {
    const settings = testSettings('idle');
    settings.replicas = 1;
    const result = await rehearse(settings);
    assert.equal(result.outcome?.diagnosis?.code, 'not-listening');
    assert.match(result.outcome?.message ?? '', /replica old-1 has listened on no TCP port for \d+ s and is idle/);
    assert.deepEqual(result.outcome?.diagnosis?.output, ['connecting to the message queue...']);
    assert.ok(result.durationMs < 60_000, `diagnosed in ${result.durationMs} ms`);
    await noReplicaLeft(settings.command);
  });

  test('a replica whose watchdog is killed: stopped and reported, never left answering on its port', async () => {
    const settings = testSettings('draining');
    const marker = settings.command.at(-1) as string;
    let killed = false;
    const result = await rehearse(settings, {
      onEvent: (_at, what) => {
        if (killed || what !== 'phase: warmup') return;
        killed = true;
        // The watchdog is the node process whose command line runs watchdog.js with the replica's command.
        const watchdog = processesWith(marker).find((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1]?.endsWith('watchdog.js');
          } catch {
            return false;
          }
        });
        assert.ok(watchdog, 'found a watchdog');
        process.kill(watchdog, 'SIGKILL');
      },
    });
    assert.equal(result.outcome?.status, 'error');
    assert.equal(result.outcome?.diagnosis?.code, 'exited');
    assert.match(result.outcome?.message ?? '', /exited \(signal SIGKILL\) while serving/);
    await noReplicaLeft(settings.command);
  });

  test('an app that leaves a setsid grandchild behind: nothing survives the rehearsal', async () => {
    const settings = testSettings('escapes');
    const marker = settings.command.at(-1) as string;
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'completed', result.outcome?.message);
    assert.deepEqual(await waitGone(marker), [], 'no grandchild is left');
  });
});
