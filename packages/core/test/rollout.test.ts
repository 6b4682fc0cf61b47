import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonSetRollout, effectiveRollout, scaleIntOrPercent } from '../src/index.js';

test('25% of 1..10 replicas: surge rounds up, unavailable rounds down', () => {
  const expected: [number, number, number][] = [
    // replicas, maxSurge, maxUnavailable
    [1, 1, 0],
    [2, 1, 0],
    [3, 1, 0],
    [4, 1, 1],
    [5, 2, 1],
    [6, 2, 1],
    [7, 2, 1],
    [8, 2, 2],
    [9, 3, 2],
    [10, 3, 2],
  ];
  for (const [replicas, surge, unavailable] of expected) {
    const r = effectiveRollout(replicas, undefined);
    assert.equal(r.maxSurge, surge, `maxSurge for ${replicas}`);
    assert.equal(r.maxUnavailable, unavailable, `maxUnavailable for ${replicas}`);
    assert.equal(r.minAvailable, replicas - unavailable);
    assert.equal(r.maxTotal, replicas + surge);
    assert.equal(r.written.defaulted, true);
  }
});

test('both zero: Kubernetes sets maxUnavailable to 1 so the rollout can progress', () => {
  const r = effectiveRollout(3, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } });
  assert.equal(r.maxSurge, 0);
  assert.equal(r.maxUnavailable, 1);
  assert.equal(r.minAvailable, 2);
  assert.match(r.explanation.join('\n'), /both are 0/);
});

test('maxUnavailable is capped at replicas', () => {
  const r = effectiveRollout(2, { rollingUpdate: { maxSurge: 1, maxUnavailable: 5 } });
  assert.equal(r.maxUnavailable, 2);
  assert.equal(r.minAvailable, 0);
});

test('maxUnavailable 0 with surge keeps every replica available', () => {
  const r = effectiveRollout(4, { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  assert.deepEqual([r.maxSurge, r.maxUnavailable, r.minAvailable, r.maxTotal], [1, 0, 4, 5]);
  assert.equal(r.written.defaulted, false);
});

test('Recreate stops every old pod first', () => {
  const r = effectiveRollout(5, { type: 'Recreate' });
  assert.equal(r.type, 'Recreate');
  assert.equal(r.maxUnavailable, 5);
  assert.equal(r.minAvailable, 0);
  assert.equal(r.maxSurge, 0);
});

test('scaleIntOrPercent: integers as is, numeric strings, bad values rejected', () => {
  assert.equal(scaleIntOrPercent(2, 10, true), 2);
  assert.equal(scaleIntOrPercent('3', 10, true), 3);
  assert.equal(scaleIntOrPercent('33%', 10, true), 4);
  assert.equal(scaleIntOrPercent('33%', 10, false), 3);
  assert.throws(() => scaleIntOrPercent('lots', 10, true), { code: 'ERR_ZERODROP_INT_OR_PERCENT' });
  assert.throws(() => scaleIntOrPercent(-1, 10, true), { code: 'ERR_ZERODROP_INT_OR_PERCENT' });
});

test('a value of the wrong type is an IntOrPercentError, not a crash', () => {
  assert.throws(() => scaleIntOrPercent({} as unknown as string, 10, true), { code: 'ERR_ZERODROP_INT_OR_PERCENT' });
  assert.throws(() => effectiveRollout(4, { rollingUpdate: { maxSurge: [] as unknown as string } }), {
    code: 'ERR_ZERODROP_INT_OR_PERCENT',
  });
});

test('daemonSetRollout: percentages of nodes, rounded up, without an assumed node count', () => {
  assert.equal(
    daemonSetRollout(undefined).explanation,
    'maxUnavailable 1 (default): 1 node(s) at a time lose their pod before its replacement is ready',
  );
  assert.equal(
    daemonSetRollout({ rollingUpdate: { maxUnavailable: '10%' } }).explanation,
    'maxUnavailable "10%" of the nodes that run it, rounded up: at least 1 pod at a time, more on clusters of more than 10 nodes',
  );
  assert.match(daemonSetRollout({ rollingUpdate: { maxUnavailable: '60%' } }).explanation, /more than 1 node$/);
  assert.match(
    daemonSetRollout({ rollingUpdate: { maxUnavailable: '100%' } }).explanation,
    /every node loses its pod at once$/,
  );
  const surge = daemonSetRollout({ rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  assert.equal(surge.takesPodsDown, false);
  assert.equal(daemonSetRollout({ rollingUpdate: { maxUnavailable: '0%', maxSurge: '10%' } }).takesPodsDown, false);
  assert.throws(
    () => daemonSetRollout({ rollingUpdate: { maxUnavailable: 'half' } }),
    /expected an integer or a percentage/,
  );
});
