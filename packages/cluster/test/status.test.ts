import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { sigkillDelayMs } from '../src/agent/container.js';
import { podConditions, podPhase } from '../src/agent/status.js';

const pod = (restartPolicy = 'Always', extra: Partial<V1Pod['spec']> = {}): V1Pod => ({
  spec: { restartPolicy, containers: [{ name: 'a' }, { name: 'b' }], ...extra },
});
const running: V1ContainerStatus['state'] = { running: {} };
const exited = (exitCode: number): V1ContainerStatus['state'] => ({ terminated: { exitCode } });
const status = (name: string, state: V1ContainerStatus['state'], last?: number): V1ContainerStatus => ({
  name,
  image: '',
  imageID: '',
  ready: false,
  restartCount: 0,
  state,
  ...(last !== undefined ? { lastState: { terminated: { exitCode: last } } } : {}),
});

test('phase as getPhase: waiting is Pending, running is Running, stopped depends on the restart policy', () => {
  const waiting = { waiting: { reason: 'ContainerCreating' } };
  assert.equal(podPhase(pod(), [], [status('a', running), status('b', waiting)], false), 'Pending');
  assert.equal(podPhase(pod(), [], [status('a', running), status('b', running)], false), 'Running');
  // CrashLoopBackOff counts as stopped (it ran before), not as waiting.
  const backoff = { waiting: { reason: 'CrashLoopBackOff' } };
  assert.equal(podPhase(pod(), [], [status('a', backoff, 1), status('b', running)], false), 'Running');
  assert.equal(podPhase(pod('Always'), [], [status('a', exited(0)), status('b', exited(1))], false), 'Running');
  assert.equal(podPhase(pod('Never'), [], [status('a', exited(0)), status('b', exited(1))], false), 'Failed');
  assert.equal(podPhase(pod('OnFailure'), [], [status('a', exited(0)), status('b', exited(0))], false), 'Succeeded');
  assert.equal(podPhase(pod('OnFailure'), [], [status('a', exited(0)), status('b', exited(2))], false), 'Running');
  // A deleted pod whose containers are all gone is terminal whatever its policy.
  assert.equal(podPhase(pod('Always'), [], [status('a', exited(0)), status('b', exited(0))], true), 'Succeeded');
  assert.equal(podPhase(pod('Always'), [], [status('a', exited(0)), status('b', exited(137))], true), 'Failed');
});

test('phase with init containers: Pending until they succeed, Failed at once under Never', () => {
  const spec = pod('Never', { initContainers: [{ name: 'init' }] });
  assert.equal(podPhase(spec, [status('init', running)], [], false), 'Pending');
  assert.equal(podPhase(spec, [status('init', exited(1))], [], false), 'Failed');
  const always = pod('Always', { initContainers: [{ name: 'init' }] });
  assert.equal(podPhase(always, [status('init', exited(1))], [], false), 'Pending');
});

test('conditions: Ready needs the containers and every readiness gate; others and transition times are kept', () => {
  const before: V1Pod = {
    spec: { containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'example.com/lb' }] },
    status: {
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: new Date(1) },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' as unknown as Date },
      ],
    },
  };
  const inputs = { sandboxReady: true, initialized: true, notReady: [], uninitialized: [], phase: 'Running' as const };
  const now = '2030-01-01T00:00:00Z';
  let out = podConditions(before, inputs, now);
  const by = (type: string) => out.find((c) => c.type === type);
  assert.equal(by('ContainersReady')?.status, 'True');
  assert.equal(String(by('ContainersReady')?.lastTransitionTime), '2020-01-01T00:00:00Z');
  assert.equal(by('Ready')?.status, 'False');
  assert.equal(by('Ready')?.reason, 'ReadinessGatesNotReady');
  assert.equal(by('PodScheduled')?.status, 'True');
  before.status?.conditions?.push({ type: 'example.com/lb', status: 'True' });
  out = podConditions(before, inputs, now);
  assert.equal(by('Ready')?.status, 'True');
  assert.equal(String(by('Ready')?.lastTransitionTime), now);
  out = podConditions(before, { ...inputs, notReady: ['a'] }, now);
  assert.equal(by('Ready')?.message, 'containers with unready status: [a]');
  out = podConditions(before, { ...inputs, phase: 'Succeeded' }, now);
  assert.equal(by('Ready')?.reason, 'PodCompleted');
});

test('SIGKILL delay as killContainer computes it: preStop whole seconds come out of grace, 2 s floor', () => {
  assert.equal(sigkillDelayMs(30, undefined), 30_000);
  assert.equal(sigkillDelayMs(0, undefined), 2000);
  assert.equal(sigkillDelayMs(30, 5000), 30_000);
  // 5.7 s of preStop: 30 - 5 = 25 s remain after it, so SIGKILL at 30.7 s.
  assert.equal(sigkillDelayMs(30, 5700), 30_700);
  // preStop cut at the grace period: the 2 s floor follows.
  assert.equal(sigkillDelayMs(4, 4000), 6000);
  assert.equal(sigkillDelayMs(1, 1000), 3000);
});
