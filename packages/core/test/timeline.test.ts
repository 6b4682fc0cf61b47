import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  computeTimeline,
  effectiveRollout,
  getProfile,
  PROFILE_IDS,
  rolloutDuration,
  sigkillAtSeconds,
  slowestConsumer,
} from '../src/index.js';

test('SIGKILL = min(preStop, grace) + max(grace - preStop, 2)', () => {
  assert.equal(sigkillAtSeconds(0, 30), 30);
  assert.equal(sigkillAtSeconds(10, 30), 30);
  assert.equal(sigkillAtSeconds(29, 30), 31);
  assert.equal(sigkillAtSeconds(30, 30), 32);
  assert.equal(sigkillAtSeconds(45, 30), 32);
  // killContainer: no preStop with grace 0, and never less than 2 s between the stop signal and SIGKILL.
  assert.equal(sigkillAtSeconds(5, 0), 2);
});

test('required preStop and grace per profile follow the slowest consumer', () => {
  const app = { preStopSeconds: 0, gracePeriodSeconds: 30, appDrainSeconds: 5 };
  const expected: Record<string, { preStop: number; grace: number }> = {
    'kube-proxy': { preStop: 3, grace: 9 },
    'ingress-nginx': { preStop: 5.3, grace: 12 },
    'gke-neg': { preStop: 16, grace: 22 },
    'aws-alb': { preStop: 71, grace: 77 },
    'aws-nlb': { preStop: 121, grace: 127 },
    'aws-nlb-instance': { preStop: 27, grace: 33 },
    istio: { preStop: 6, grace: 12 },
  };
  for (const id of PROFILE_IDS) {
    const t = computeTimeline(app, getProfile(id));
    assert.equal(t.required.preStopSeconds, expected[id]?.preStop, `preStop for ${id}`);
    assert.equal(t.required.gracePeriodSeconds, expected[id]?.grace, `grace for ${id}`);
    assert.equal(t.consumersGoneAtSeconds, slowestConsumer(getProfile(id)).propagation.worstSeconds);
  }
});

test('a preStop that covers propagation and a grace that covers the drain pass both conditions', () => {
  const t = computeTimeline(
    { preStopSeconds: 3, gracePeriodSeconds: 30, appDrainSeconds: 5 },
    getProfile('kube-proxy'),
  );
  assert.deepEqual(
    t.conditions.map((c) => c.ok),
    [true, true],
  );
  assert.equal(t.stopSignalAtSeconds, 3);
  assert.equal(t.sigkillAtSeconds, 30);
});

test('no preStop behind kube-proxy fails condition 1; a long preStop eats the grace period', () => {
  const none = computeTimeline(
    { preStopSeconds: 0, gracePeriodSeconds: 30, appDrainSeconds: 5 },
    getProfile('kube-proxy'),
  );
  assert.equal(none.conditions[0]?.ok, false);
  const long = computeTimeline(
    { preStopSeconds: 28, gracePeriodSeconds: 30, appDrainSeconds: 5 },
    getProfile('kube-proxy'),
  );
  assert.equal(long.conditions[1]?.ok, false);
  assert.equal(long.required.gracePeriodSeconds, 34);
});

test('measured propagation and margin override the profile', () => {
  const t = computeTimeline({ preStopSeconds: 0, gracePeriodSeconds: 30, appDrainSeconds: 5 }, getProfile('gke-neg'), {
    propagationSeconds: 8,
    marginSeconds: 2,
  });
  assert.equal(t.required.preStopSeconds, 10);
  assert.equal(t.consumersGoneAtSeconds, 8);
});

test('GKE health check override changes the detection time', () => {
  const p = getProfile('gke-neg', { intervalSeconds: 2, unhealthyThreshold: 3, timeoutSeconds: 1 });
  assert.equal(slowestConsumer(p).propagation.worstSeconds, 7);
});

test('rollout duration: waves, controller time, capacity-bound time', () => {
  const d = rolloutDuration({
    rollout: effectiveRollout(10, { rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } }),
    podReadySeconds: 10,
    terminationSeconds: 20,
  });
  assert.equal(d.waves, 5);
  assert.equal(d.controllerSeconds, 50);
  assert.equal(d.lastOldPodGoneSeconds, 70);
  assert.equal(d.capacityBoundSeconds, 150);
});

test('an in-app delay after SIGTERM counts towards condition 1 and is paid out of the grace period', () => {
  const profile = getProfile('gke-neg');
  const t = computeTimeline(
    { preStopSeconds: 2, gracePeriodSeconds: 30, appDelaySeconds: 4, appDrainSeconds: 2 },
    profile,
  );
  // The listener closes at preStop 2 + delay 4 = 6 s: before GKE's worst case, so condition 1 fails.
  assert.equal(t.listenerClosedAtSeconds, 6);
  assert.equal(t.conditions.find((c) => c.id === 'prestop-covers-propagation')?.ok, false);
  assert.equal(t.required.preStopSeconds, t.consumersGoneAtSeconds + 1 - 4);
  assert.equal(t.required.gracePeriodSeconds, Math.ceil(t.required.preStopSeconds + 4 + 2 + 1));
  const enough = computeTimeline(
    { preStopSeconds: t.required.preStopSeconds, gracePeriodSeconds: 30, appDelaySeconds: 4, appDrainSeconds: 2 },
    profile,
  );
  assert.ok(enough.conditions.every((c) => c.ok));
});

test('the grace condition spells out sums whose results agree with its conclusion', () => {
  // No preStop written, grace 5 s: drained at 5 s + 1 s margin = 6 s is after SIGKILL at 5 s, and the grace the
  // timeline needs counts the 3 s preStop kube-proxy needs: 3 + 5 + 1 = 9 s.
  const short = computeTimeline(
    { preStopSeconds: 0, gracePeriodSeconds: 5, appDrainSeconds: 5 },
    getProfile('kube-proxy'),
  );
  const grace = short.conditions.find((c) => c.id === 'grace-covers-drain')!;
  assert.equal(grace.ok, false);
  assert.equal(
    grace.detail,
    'the app is drained at 5s (preStop 0s + drain 5s) + margin 1s = 6s, after SIGKILL at 5s (grace 5s); grace must be >= 9s: the 3s preStop kube-proxy needs + drain 5s + margin 1s = 9s',
  );
  assert.equal(short.required.gracePeriodSeconds, 9);
  // With an in-app delay, the delay is one of the terms of both sums.
  const delayed = computeTimeline(
    { preStopSeconds: 0, gracePeriodSeconds: 5, appDelaySeconds: 2, appDrainSeconds: 5 },
    getProfile('kube-proxy'),
  );
  assert.equal(
    delayed.conditions[1]!.detail,
    'the app is drained at 7s (preStop 0s + in-app delay 2s + drain 5s) + margin 1s = 8s, after SIGKILL at 5s (grace 5s); grace must be >= 9s: the 1s preStop kube-proxy needs + in-app delay 2s + drain 5s + margin 1s = 9s',
  );
  // A written preStop longer than the consumers need is the one counted.
  const long = computeTimeline(
    { preStopSeconds: 20, gracePeriodSeconds: 20, appDrainSeconds: 5 },
    getProfile('kube-proxy'),
  );
  assert.match(long.conditions[1]!.detail, /grace must be >= 26s: preStop 20s \+ drain 5s \+ margin 1s = 26s$/);
  // The propagation condition says what its required preStop is made of.
  assert.match(short.conditions[0]!.detail, /the preStop must be >= 3s \(2s \+ 1s margin\)$/);
});
