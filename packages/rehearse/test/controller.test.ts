import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectiveRollout, type RolloutStrategy } from '@zerodrop/core';
import {
  type DeploymentSpec,
  deploymentStatus,
  isAvailable,
  isProgressing,
  type PodView,
  type ReplicaSetSpecs,
  reconcileReplicaSet,
  syncDeployment,
  victimOrder,
} from '../src/controller.js';

function pod(name: string, revision: 'old' | 'new', extra: Partial<PodView> = {}): PodView {
  return {
    name,
    revision,
    createdMs: 0,
    running: true,
    ready: true,
    readySinceMs: 0,
    terminating: false,
    restarts: 0,
    ...extra,
  };
}

function spec(replicas: number, strategy?: RolloutStrategy, minReadyMs = 0): DeploymentSpec {
  return { replicas, rollout: effectiveRollout(replicas, strategy), minReadyMs };
}

const rolling = (maxSurge: number | string, maxUnavailable: number | string): RolloutStrategy => ({
  type: 'RollingUpdate',
  rollingUpdate: { maxSurge, maxUnavailable },
});

/**
 * Drives the controllers to completion over plain pods: a created pod becomes Ready `readyAfter` ticks later, a
 * deleted pod stays terminating for `terminatingFor` ticks. Checks the invariants at every step.
 */
function simulate(
  s: DeploymentSpec,
  opts: { readyAfter: number; terminatingFor: number },
): { steps: number; maxActive: number; minAvailable: number; maxPods: number } {
  let specs: ReplicaSetSpecs = { old: s.replicas, new: 0 };
  const pods: (PodView & { bornAt: number; deletedAt?: number })[] = [];
  for (let i = 0; i < s.replicas; i++) pods.push({ ...pod(`old-${i}`, 'old'), bornAt: -100 });
  let n = 0;
  let maxActive = 0;
  let minAvailable = Number.POSITIVE_INFINITY;
  let maxPods = 0;
  for (let t = 0; t < 500; t++) {
    for (const p of pods) {
      if (!p.ready && !p.terminating && t - p.bornAt >= opts.readyAfter) {
        p.ready = true;
        p.readySinceMs = t;
      }
      if (p.terminating && p.deletedAt !== undefined && t - p.deletedAt >= opts.terminatingFor) p.gone = true;
    }
    const live = pods.filter((p) => !p.gone);
    const status = deploymentStatus(live, s.minReadyMs, t);
    maxActive = Math.max(maxActive, status.replicas);
    minAvailable = Math.min(minAvailable, status.availableReplicas);
    maxPods = Math.max(maxPods, live.length);
    const r = syncDeployment(s, specs, live, t);
    if (r.action === 'complete' && live.every((p) => p.revision === 'new'))
      return { steps: t, maxActive, minAvailable, maxPods };
    specs = r.specs;
    for (const revision of ['old', 'new'] as const) {
      const a = reconcileReplicaSet(revision, specs[revision], live, t);
      for (let i = 0; i < a.create; i++)
        pods.push({ ...pod(`new-${n++}`, revision, { ready: false, createdMs: t }), bornAt: t });
      for (const name of a.delete) {
        const victim = pods.find((p) => p.name === name) as PodView & { deletedAt?: number };
        victim.terminating = true;
        victim.ready = false;
        victim.deletedAt = t;
      }
    }
  }
  throw new Error('the rollout did not complete in 500 steps');
}

describe('syncDeployment (rolling.go)', () => {
  test('scales the new ReplicaSet up by maxSurge first, counting ReplicaSet specs', () => {
    const r = syncDeployment(
      spec(4),
      { old: 4, new: 0 },
      [0, 1, 2, 3].map((i) => pod(`o${i}`, 'old')),
      0,
    );
    assert.equal(r.action, 'scale-up');
    assert.deepEqual(r.specs, { old: 4, new: 1 }); // 25% of 4 rounds up to 1
  });

  test('one sync scales up OR down: with the surge used it scales old down to minAvailable', () => {
    const olds = [0, 1, 2, 3].map((i) => pod(`o${i}`, 'old'));
    const r = syncDeployment(spec(4), { old: 4, new: 1 }, [...olds, pod('n0', 'new', { ready: false })], 0);
    assert.equal(r.action, 'scale-down');
    // maxUnavailable 25% of 4 = 1: minAvailable 3, 4 available -> one old pod may go
    assert.deepEqual(r.specs, { old: 3, new: 1 });
  });

  test('maxUnavailable 0 waits for new pods to be available before scaling down', () => {
    const olds = [0, 1].map((i) => pod(`o${i}`, 'old'));
    const s = spec(2, rolling(1, 0));
    const waiting = syncDeployment(s, { old: 2, new: 1 }, [...olds, pod('n0', 'new', { ready: false })], 0);
    assert.equal(waiting.action, 'wait');
    const ready = syncDeployment(s, { old: 2, new: 1 }, [...olds, pod('n0', 'new')], 0);
    assert.deepEqual(ready.specs, { old: 1, new: 1 });
  });

  test('minReadySeconds: Ready is not available until it has lasted', () => {
    const s = spec(2, rolling(1, 0), 5000);
    const fresh = pod('n0', 'new', { readySinceMs: 1000 });
    assert.equal(isAvailable(fresh, 5000, 3000), false);
    assert.equal(isAvailable(fresh, 5000, 6000), true);
    const olds = [0, 1].map((i) => pod(`o${i}`, 'old'));
    assert.equal(syncDeployment(s, { old: 2, new: 1 }, [...olds, fresh], 3000).action, 'wait');
    assert.equal(syncDeployment(s, { old: 2, new: 1 }, [...olds, fresh], 6000).action, 'scale-down');
  });

  test('unhealthy old pods are cleaned up first, within maxScaledDown', () => {
    const olds = [pod('o0', 'old'), pod('o1', 'old', { ready: false }), pod('o2', 'old'), pod('o3', 'old')];
    const r = syncDeployment(spec(4, rolling(0, 1)), { old: 4, new: 0 }, olds, 0);
    // surge 0: nothing to scale up; maxScaledDown = 4 - 3 - 0 = 1; the not-ready pod is the one removed
    assert.deepEqual(r.specs, { old: 3, new: 0 });
    assert.equal(reconcileReplicaSet('old', 3, olds, 0).delete[0], 'o1');
  });

  test('terminating pods do not count: real pods can exceed replicas + maxSurge', () => {
    const s = spec(4);
    const result = simulate(s, { readyAfter: 1, terminatingFor: 6 });
    assert.equal(result.maxActive, 5, 'active pods never exceed replicas + maxSurge');
    assert.ok(result.maxPods > 5, `with slow terminations more pods exist at once (${result.maxPods})`);
    assert.ok(result.minAvailable >= 3, 'available never drops below replicas - maxUnavailable');
  });

  for (const [label, strategy, replicas, minAvailable] of [
    ['defaults 25%/25% of 4', undefined, 4, 3],
    ['maxSurge 1, maxUnavailable 0 of 3', rolling(1, 0), 3, 3],
    ['maxSurge 0, maxUnavailable 1 of 3', rolling(0, 1), 3, 2],
    ['maxSurge 50%, maxUnavailable 50% of 5', rolling('50%', '50%'), 5, 3],
    ['both 0% of 2: Kubernetes makes maxUnavailable 1', rolling('0%', '0%'), 2, 1],
  ] as const) {
    test(`completes and respects the floor and the ceiling: ${label}`, () => {
      const s = spec(replicas, strategy);
      const r = simulate(s, { readyAfter: 2, terminatingFor: 3 });
      assert.ok(r.minAvailable >= minAvailable, `available ${r.minAvailable} >= ${minAvailable}`);
      assert.ok(r.maxActive <= s.rollout.maxTotal, `active ${r.maxActive} <= ${s.rollout.maxTotal}`);
    });
  }

  test('Recreate: old down to 0, waits for every old pod to exit, then new up', () => {
    const s = spec(2, { type: 'Recreate' });
    const olds = [pod('o0', 'old'), pod('o1', 'old')];
    assert.deepEqual(syncDeployment(s, { old: 2, new: 0 }, olds, 0).specs, { old: 0, new: 0 });
    const terminating = olds.map((p) => ({ ...p, terminating: true }));
    assert.equal(syncDeployment(s, { old: 0, new: 0 }, terminating, 0).action, 'wait');
    const gone = olds.map((p) => ({ ...p, terminating: true, gone: true }));
    assert.deepEqual(syncDeployment(s, { old: 0, new: 0 }, gone, 0).specs, { old: 0, new: 2 });
  });

  test('complete when every replica is updated and available and no old pod is active', () => {
    const s = spec(2);
    const news = [pod('n0', 'new'), pod('n1', 'new')];
    assert.equal(syncDeployment(s, { old: 0, new: 2 }, news, 0).action, 'complete');
    const withTerminatingOld = [...news, pod('o0', 'old', { terminating: true })];
    assert.equal(syncDeployment(s, { old: 0, new: 2 }, withTerminatingOld, 0).action, 'complete');
  });
});

describe('progress (progress deadline)', () => {
  test('progress is more updated, fewer old, more ready or more available', () => {
    const base = { updatedReplicas: 1, replicas: 3, readyReplicas: 2, availableReplicas: 2 };
    assert.equal(isProgressing(base, base), false);
    assert.equal(isProgressing(base, { ...base, updatedReplicas: 2 }), true);
    assert.equal(isProgressing(base, { ...base, replicas: 2 }), true);
    assert.equal(isProgressing(base, { ...base, readyReplicas: 3 }), true);
    assert.equal(isProgressing(base, { ...base, availableReplicas: 3 }), true);
    assert.equal(isProgressing(base, { ...base, readyReplicas: 1 }), false);
  });
});

describe('victimOrder (controller.ActivePods)', () => {
  test('pending, then not ready, then ready for less time, then more restarts, then newer', () => {
    // Ages at now = 100 s: ready 100 s (bucket 2^36 ns) or 10 s (2^33); created 100 s or 50 s (2^35).
    const pods = [
      pod('old-ready-long', 'old', { readySinceMs: 0, createdMs: 0 }),
      pod('ready-short', 'old', { readySinceMs: 90_000, createdMs: 0 }),
      pod('not-ready', 'old', { ready: false, readySinceMs: undefined }),
      pod('pending', 'old', { running: false, ready: false }),
      pod('restarts', 'old', { readySinceMs: 0, restarts: 3 }),
      pod('newer', 'old', { readySinceMs: 0, createdMs: 50_000 }),
    ];
    assert.deepEqual(
      victimOrder(pods, 100_000).map((p) => p.name),
      ['pending', 'not-ready', 'ready-short', 'restarts', 'newer', 'old-ready-long'],
    );
  });

  test('ages in one log2 bucket are a tie broken by UID; within one second they are equal', () => {
    // Ready 40 s and 60 s ago: both in the 2^35 ns bucket (34.4–68.7 s), so the UID decides, not the age.
    const a = pod('a', 'old', { uid: 'f', readySinceMs: 60_000 });
    const b = pod('b', 'old', { uid: '0', readySinceMs: 40_000 });
    assert.deepEqual(
      victimOrder([a, b], 100_000).map((p) => p.name),
      ['b', 'a'],
    );
    assert.deepEqual(
      victimOrder(
        [
          { ...a, uid: '0' },
          { ...b, uid: 'f' },
        ],
        100_000,
      ).map((p) => p.name),
      ['a', 'b'],
    );
    // Ready 200 ms apart in one second and created together: nothing orders them (the input order stays).
    const c = pod('c', 'old', { uid: 'f', readySinceMs: 10_100 });
    const d = pod('d', 'old', { uid: '0', readySinceMs: 10_300 });
    assert.deepEqual(
      victimOrder([c, d], 100_000).map((p) => p.name),
      ['c', 'd'],
    );
  });

  test('under --speed the ages are of Kubernetes time: its seconds and its log2 buckets', () => {
    // At --speed 10, 100 ms of wall clock is a Kubernetes second: 10.1 s and 10.3 s are no longer one second, and
    // (32 s and 30 s of Kubernetes time ago, one log2 bucket) the UID decides.
    const c = pod('c', 'old', { uid: 'f', readySinceMs: 10_100 });
    const d = pod('d', 'old', { uid: '0', readySinceMs: 10_300 });
    assert.deepEqual(
      victimOrder([c, d], 13_300).map((p) => p.name),
      ['c', 'd'],
    );
    assert.deepEqual(
      victimOrder([c, d], 13_300, 10).map((p) => p.name),
      ['d', 'c'],
    );
    // Ready 1 s and 1.5 s of wall clock ago: buckets 2^30 and 2^31 ns at --speed 1 (on whole seconds), but 10 s and
    // 15 s of Kubernetes time at --speed 10, both in the 2^33 bucket: the UID decides.
    const e = pod('e', 'old', { uid: 'f', readySinceMs: 12_300 });
    const f = pod('f', 'old', { uid: '0', readySinceMs: 11_800 });
    assert.deepEqual(
      victimOrder([f, e], 13_300).map((p) => p.name),
      ['e', 'f'],
    );
    assert.deepEqual(
      victimOrder([e, f], 13_300, 10).map((p) => p.name),
      ['f', 'e'],
    );
  });

  test('the ReplicaSet controller creates the missing pods and deletes the surplus in victim order', () => {
    const pods = [pod('a', 'old', { readySinceMs: 0 }), pod('b', 'old', { readySinceMs: 50_000 })];
    assert.deepEqual(reconcileReplicaSet('old', 1, pods, 100_000), { create: 0, delete: ['b'] });
    assert.deepEqual(reconcileReplicaSet('new', 2, pods, 100_000), { create: 2, delete: [] });
    const terminating = [pod('a', 'old', { terminating: true })];
    assert.deepEqual(reconcileReplicaSet('old', 1, terminating, 100), { create: 1, delete: [] });
  });
});
