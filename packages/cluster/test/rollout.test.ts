import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { drainPlan } from '../src/drain.js';
import { rolloutState, selectorOf } from '../src/rollout.js';

function deployment(status: V1Deployment['status'], generation = 2): V1Deployment {
  return { metadata: { name: 'web', generation }, spec: { replicas: 3, selector: {}, template: {} }, status };
}

test('rolloutState follows kubectl rollout status, step by step', () => {
  assert.match(rolloutState(deployment({ observedGeneration: 1 })).message, /spec update to be observed/);
  const steps: [V1Deployment['status'], RegExp][] = [
    [{ observedGeneration: 2, updatedReplicas: 1, replicas: 4, availableReplicas: 3 }, /1 out of 3 new replicas/],
    [{ observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 }, /1 old replicas are pending/],
    [{ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 }, /2 of 3 updated replicas/],
  ];
  for (const [status, message] of steps) {
    const state = rolloutState(deployment(status));
    assert.equal(state.done, false);
    assert.match(state.message, message);
  }
  const done = rolloutState(
    deployment({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }),
  );
  assert.deepEqual(done, { done: true, message: 'deployment "web" successfully rolled out' });
  const stuck = rolloutState(
    deployment({
      observedGeneration: 2,
      updatedReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    }),
  );
  assert.equal(stuck.failed, 'deployment "web" exceeded its progress deadline');
});

test('selectorOf writes matchLabels and matchExpressions as a label selector', () => {
  const d: V1Deployment = {
    spec: {
      template: {},
      selector: {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['front', 'edge'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      },
    },
  };
  assert.equal(selectorOf(d), 'app=web,tier in (front,edge),!canary');
});

test('drainPlan evicts managed pods, skips DaemonSet, mirror and ended pods, refuses unmanaged ones', () => {
  const pod = (name: string, owner?: string, extra: Partial<V1Pod> = {}): V1Pod => ({
    metadata: {
      name,
      namespace: 'shop',
      ...(owner ? { ownerReferences: [{ kind: owner, name: 'x', uid: 'u', apiVersion: 'v1', controller: true }] } : {}),
    },
    ...extra,
  });
  const plan = drainPlan([
    pod('web-1', 'ReplicaSet'),
    pod('agent-1', 'DaemonSet'),
    pod('static', 'Node', { metadata: { name: 'static', annotations: { 'kubernetes.io/config.mirror': 'h' } } }),
    pod('job-1', 'Job', { status: { phase: 'Succeeded' } }),
    pod('bare'),
  ]);
  assert.deepEqual(
    plan.evict.map((p) => p.metadata?.name),
    ['web-1'],
  );
  assert.deepEqual(
    plan.skipped.map((s) => s.why),
    ['a DaemonSet pod', 'a mirror pod', 'it has ended (Succeeded)'],
  );
  assert.deepEqual(plan.unmanaged, ['shop/bare']);
});
