import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { endpointConditions, exitDetail, podChanges, routingOf } from '../src/timeline.js';

function pod(status: V1Pod['status'], metadata: V1Pod['metadata'] = {}): V1Pod {
  return { metadata: { name: 'web-1', uid: 'u1', ...metadata }, spec: { containers: [], nodeName: 'node-1' }, status };
}
const ready = (value: boolean) => [{ type: 'Ready', status: value ? 'True' : 'False' }];
const running = { name: 'app', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } };

test('podChanges: created, started, Ready, deleted, and the exit with its code or signal', () => {
  const pending = pod({ phase: 'Pending' });
  assert.deepEqual(podChanges(undefined, pending, 1), [{ atMs: 1, state: 'created', detail: 'node-1' }]);
  const up = pod({ conditions: ready(true), containerStatuses: [running] });
  assert.deepEqual(
    podChanges(pending, up, 2).map((c) => c.state),
    ['started', 'ready'],
  );
  const deleting = pod(
    { conditions: ready(true), containerStatuses: [running] },
    { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 30 },
  );
  assert.deepEqual(podChanges(up, deleting, 3), [{ atMs: 3, state: 'terminating', detail: 'deleted, grace 30s' }]);
  const exited = pod(
    {
      conditions: ready(false),
      containerStatuses: [
        {
          ...running,
          ready: false,
          state: { terminated: { exitCode: 143, reason: 'Error', finishedAt: new Date(5) } },
        },
      ],
    },
    deleting.metadata,
  );
  assert.deepEqual(podChanges(deleting, exited, 4), [
    { atMs: 4, state: 'exited', detail: 'signal SIGTERM' },
    { atMs: 4, state: 'not-ready' },
  ]);
  const killed = pod(
    { containerStatuses: [{ ...running, state: { terminated: { exitCode: 137, finishedAt: new Date(6) } } }] },
    deleting.metadata,
  );
  assert.equal(podChanges(deleting, killed, 5)[0]?.state, 'killed');
  // The same exit code without a deletion is the container's own crash, not the grace period's kill.
  assert.equal(podChanges(up, pod(killed.status), 5)[0]?.state, 'exited');
});

test('podChanges: a restart seen after the fact brings its exit from lastState', () => {
  const up = pod({ containerStatuses: [running] });
  const restarted = pod({
    containerStatuses: [
      { ...running, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: new Date(9) } } },
    ],
  });
  assert.deepEqual(
    podChanges(up, restarted, 7).map((c) => [c.state, c.detail]),
    [
      ['exited', 'code 1'],
      ['started', undefined],
    ],
  );
});

test('exitDetail names signals and keeps reasons that say more than Error', () => {
  assert.equal(exitDetail({ exitCode: 0, reason: 'Completed' }), 'code 0');
  assert.equal(exitDetail({ exitCode: 137, reason: 'OOMKilled' }), 'signal SIGKILL (OOMKilled)');
  assert.equal(exitDetail({ exitCode: 143, signal: 15 }), 'signal SIGTERM');
  assert.equal(exitDetail({ exitCode: 1, reason: 'Error' }), 'code 1');
});

function slice(name: string, endpoints: [string, boolean, boolean, boolean][]): V1EndpointSlice {
  return {
    metadata: { name },
    addressType: 'IPv4',
    endpoints: endpoints.map(([pod, r, s, t]) => ({
      addresses: ['198.18.0.2'],
      targetRef: { kind: 'Pod', name: pod },
      conditions: { ready: r, serving: s, terminating: t },
    })),
  };
}

test('endpointConditions: a pod in two slices counts at its best', () => {
  const conditions = endpointConditions([
    slice('a', [['web-1', false, true, true]]),
    slice('b', [
      ['web-1', true, true, false],
      ['web-2', false, false, false],
    ]),
  ]);
  assert.deepEqual(conditions.get('web-1'), { present: true, ready: true, serving: true, terminating: false });
  assert.deepEqual(conditions.get('web-2'), { present: true, ready: false, serving: false, terminating: false });
});

test('routingOf: ready endpoints, else serving terminating ones (KEP-1669), as they change', () => {
  const c = (atMs: number, present: boolean, ready: boolean, serving = ready, terminating = false) => ({
    atMs,
    present,
    ready,
    serving,
    terminating,
  });
  const routing = routingOf([
    { name: 'old', endpoint: [c(0, true, true), c(10, true, false, true, true), c(20, false, false)] },
    { name: 'new', endpoint: [c(5, true, false), c(15, true, true)] },
  ]);
  // At 10 the old pod is terminating but still serving: the only one to route to.
  assert.deepEqual(routing, [
    { atMs: 0, pods: ['old'] },
    { atMs: 15, pods: ['new'] },
  ]);
  const dip = routingOf([{ name: 'only', endpoint: [c(0, true, true), c(3, true, false, false, true)] }]);
  assert.deepEqual(dip, [
    { atMs: 0, pods: ['only'] },
    { atMs: 3, pods: [] },
  ]);
});
