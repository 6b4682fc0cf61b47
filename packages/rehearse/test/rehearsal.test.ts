import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rehearse } from '../src/rehearsal.js';
import { processesWith } from './support/procs.js';
import { testSettings } from './support/settings.js';

/** The rehearsal must leave none of the processes of its command behind. */
function noReplicaLeft(command: string[]): void {
  assert.deepEqual(processesWith(command.at(-1) ?? ''), [], 'no replica process survives the rehearsal');
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
    noReplicaLeft(settings.command);
  });

  test('a draining app with a preStop sleep longer than the propagation drops nothing', async () => {
    const settings = testSettings('draining');
    settings.pod.preStop = { type: 'sleep', seconds: 3 };
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'completed');
    assert.equal(result.requests.failed, 0, JSON.stringify(result.failures.slice(0, 3)));
    assert.ok(result.requests.total > 150);
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
    noReplicaLeft(settings.command);
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
    noReplicaLeft(settings.command);
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
    noReplicaLeft(settings.command);
  });

  test('an app that crashes on start: the rehearsal gives up once every pod crash-loops', async () => {
    const settings = testSettings('crashes', 'kube-proxy', { speed: 20 });
    const result = await rehearse(settings);
    assert.equal(result.outcome?.status, 'error');
    assert.match(result.outcome?.message ?? '', /keeps exiting/);
    assert.match(result.outcome?.message ?? '', /DATABASE_URL is not set/);
    noReplicaLeft(settings.command);
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
    noReplicaLeft(settings.command);
  });
});
