import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disruptionAllowance, IntOrPercentError } from '../src/index.js';

test('minAvailable: an integer floor, and a percentage rounded up', () => {
  assert.equal(disruptionAllowance({ minAvailable: 2 }, 3)?.disruptionsAllowed, 1);
  assert.equal(disruptionAllowance({ minAvailable: 3 }, 3)?.disruptionsAllowed, 0);
  assert.equal(disruptionAllowance({ minAvailable: 5 }, 3)?.disruptionsAllowed, 0);
  const pct = disruptionAllowance({ minAvailable: '90%' }, 3);
  assert.equal(pct?.desiredHealthy, 3);
  assert.equal(pct?.disruptionsAllowed, 0);
  assert.equal(
    pct?.explanation,
    'minAvailable 90% of 3 pod(s) = 3 (rounded up): 3 healthy pod(s), 3 required, 0 disruption(s) allowed',
  );
  assert.equal(disruptionAllowance({ minAvailable: '50%' }, 3)?.disruptionsAllowed, 1);
});

test('maxUnavailable: 0 blocks, a percentage rounds up to at least one pod', () => {
  assert.equal(disruptionAllowance({ maxUnavailable: 0 }, 5)?.disruptionsAllowed, 0);
  assert.equal(disruptionAllowance({ maxUnavailable: '0%' }, 5)?.disruptionsAllowed, 0);
  assert.equal(disruptionAllowance({ maxUnavailable: '10%' }, 3)?.disruptionsAllowed, 1);
  assert.equal(disruptionAllowance({ maxUnavailable: 1 }, 1)?.disruptionsAllowed, 1);
  assert.equal(disruptionAllowance({ maxUnavailable: 4 }, 2)?.desiredHealthy, 0);
});

test('no budget field: undefined; an invalid value throws the typed error', () => {
  assert.equal(disruptionAllowance({}, 3), undefined);
  assert.throws(() => disruptionAllowance({ minAvailable: 'half' }, 3), IntOrPercentError);
});
