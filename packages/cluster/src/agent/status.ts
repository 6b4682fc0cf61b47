/** The pod status the kubelet writes, computed from its containers: phase (getPhase) and conditions. */
import type { V1ContainerStatus, V1Pod, V1PodCondition } from '@kubernetes/client-node';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/**
 * kubelet_pods.go getPhase: Pending while an init container has not succeeded or a container waits for its first
 * start; Running while one runs; once all stopped, Succeeded/Failed by exit codes (always, once the pod is terminal;
 * otherwise only where the restart policy does not restart them).
 */
export function podPhase(
  pod: V1Pod,
  init: readonly V1ContainerStatus[],
  containers: readonly V1ContainerStatus[],
  podIsTerminal: boolean,
): PodPhase {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const spec of pod.spec?.initContainers ?? []) {
    const s = init.find((c) => c.name === spec.name);
    if (!s || s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.lastState?.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const spec of pod.spec?.containers ?? []) {
    const s = containers.find((c) => c.name === spec.name);
    if (!s?.state) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export interface ConditionInputs {
  sandboxReady: boolean;
  initialized: boolean;
  notReady: string[];
  uninitialized: string[];
  phase: PodPhase;
}

const OWN = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']);

/**
 * The conditions the kubelet owns, merged into the existing ones (PodScheduled from the scheduler, DisruptionTarget
 * from an eviction, readiness-gate conditions from controllers are kept). A condition's lastTransitionTime changes
 * only when its status does. Ready also needs every readiness gate's condition True.
 */
export function podConditions(pod: V1Pod, inputs: ConditionInputs, now: string): V1PodCondition[] {
  const existing = pod.status?.conditions ?? [];
  const terminal = inputs.phase === 'Succeeded' || inputs.phase === 'Failed';
  const containersReady = !terminal && inputs.notReady.length === 0;
  const gatesOpen = (pod.spec?.readinessGates ?? []).filter(
    (g) => existing.find((c) => c.type === g.conditionType)?.status !== 'True',
  );
  const unready = (names: string[]) => `containers with unready status: [${names.join(' ')}]`;
  const wanted: Omit<V1PodCondition, 'lastTransitionTime'>[] = [
    { type: 'PodReadyToStartContainers', status: inputs.sandboxReady ? 'True' : 'False' },
    inputs.initialized
      ? { type: 'Initialized', status: 'True' }
      : {
          type: 'Initialized',
          status: 'False',
          reason: 'ContainersNotInitialized',
          message: `containers with incomplete status: [${inputs.uninitialized.join(' ')}]`,
        },
    containersReady && gatesOpen.length === 0
      ? { type: 'Ready', status: 'True' }
      : terminal
        ? { type: 'Ready', status: 'False', reason: 'PodCompleted' }
        : inputs.notReady.length > 0
          ? { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: unready(inputs.notReady) }
          : {
              type: 'Ready',
              status: 'False',
              reason: 'ReadinessGatesNotReady',
              message: `corresponding condition of pod readiness gate "${gatesOpen[0]?.conditionType}" does not exist.`,
            },
    containersReady
      ? { type: 'ContainersReady', status: 'True' }
      : terminal
        ? { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' }
        : { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: unready(inputs.notReady) },
  ];
  const out: V1PodCondition[] = wanted.map((w) => {
    const before = existing.find((c) => c.type === w.type);
    const lastTransitionTime = (before && before.status === w.status ? before.lastTransitionTime : now) as Date;
    return { ...w, lastTransitionTime, lastProbeTime: null as unknown as Date };
  });
  for (const c of existing) if (!OWN.has(c.type)) out.push(c);
  return out;
}
