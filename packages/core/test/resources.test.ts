import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildWorkloadSet, cpuCores, exclusiveCpus, parseManifests } from '../src/index.js';

test('cpuCores reads CPU quantities', () => {
  assert.equal(cpuCores('2'), 2);
  assert.equal(cpuCores('250m'), 0.25);
  assert.equal(cpuCores('.5'), 0.5);
  assert.equal(cpuCores('1.5'), 1.5);
  assert.equal(cpuCores('2Gi'), undefined);
  assert.equal(cpuCores(undefined), undefined);
});

test('exclusiveCpus: whole cores in a Guaranteed pod, every container of it', () => {
  const pod = (containers: string) =>
    buildWorkloadSet(
      parseManifests(`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: ${containers}}\n`, 'p.yaml')
        .objects,
    ).workloads[0]!;
  const whole = pod('[{name: a, image: a, resources: {limits: {cpu: "2", memory: 1Gi}}}]');
  assert.equal(exclusiveCpus(whole, whole.containers[0]!), true);
  const milli = pod('[{name: a, image: a, resources: {requests: {cpu: 2000m}, limits: {cpu: "2", memory: 1Gi}}}]');
  assert.equal(exclusiveCpus(milli, milli.containers[0]!), true);
  const half = pod('[{name: a, image: a, resources: {limits: {cpu: 500m, memory: 1Gi}}}]');
  assert.equal(exclusiveCpus(half, half.containers[0]!), false);
  const burstable = pod(
    '[{name: a, image: a, resources: {limits: {cpu: "2", memory: 1Gi}}}, {name: b, image: b, resources: {requests: {cpu: 100m}}}]',
  );
  assert.equal(
    exclusiveCpus(burstable, burstable.containers[0]!),
    false,
    'one Burstable container makes the pod Burstable',
  );
});
