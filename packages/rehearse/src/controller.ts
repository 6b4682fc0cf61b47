import type { EffectiveRollout } from '@zerodrop/core';

/**
 * The Deployment and ReplicaSet controllers as pure functions over plain state, following
 * pkg/controller/deployment/{rolling,recreate}.go and pkg/controller/replicaset: one Deployment with an old and a
 * new ReplicaSet. Callers apply the returned actions (create pods, delete pods) and call again on the next event.
 */
export type Revision = 'old' | 'new';

/** What the controllers see of a pod. Times are milliseconds on any monotonic clock. */
export interface PodView {
  name: string;
  /** metadata.uid: random, the last tie-break of the victim order. */
  uid?: string;
  revision: Revision;
  createdMs: number;
  /** The container is running (false: Pending, or waiting to restart). */
  running: boolean;
  /** The Ready condition. */
  ready: boolean;
  /** When Ready last became true. */
  readySinceMs?: number;
  /** deletionTimestamp is set. */
  terminating: boolean;
  /** The pod object is gone (containers exited after deletion). Such pods may be left out entirely. */
  gone?: boolean;
  restarts: number;
}

/** spec.replicas of the two ReplicaSets. */
export interface ReplicaSetSpecs {
  old: number;
  new: number;
}

export interface DeploymentSpec {
  replicas: number;
  rollout: EffectiveRollout;
  minReadyMs: number;
}

/** What a ReplicaSet's status reports: only active (not terminating) pods count. */
export interface ReplicaSetStatus {
  replicas: number;
  ready: number;
  available: number;
}

/** Available = Ready for at least minReadySeconds. */
export function isAvailable(pod: PodView, minReadyMs: number, nowMs: number): boolean {
  if (!pod.ready || pod.terminating || pod.gone) return false;
  if (minReadyMs <= 0) return true;
  return pod.readySinceMs !== undefined && pod.readySinceMs + minReadyMs <= nowMs;
}

/** Active pods: not terminating and not gone (controller.FilterActivePods). */
export function activePods(pods: readonly PodView[], revision: Revision): PodView[] {
  return pods.filter((p) => p.revision === revision && !p.terminating && !p.gone);
}

export function replicaSetStatus(
  pods: readonly PodView[],
  revision: Revision,
  minReadyMs: number,
  nowMs: number,
): ReplicaSetStatus {
  const active = activePods(pods, revision);
  return {
    replicas: active.length,
    ready: active.filter((p) => p.ready).length,
    available: active.filter((p) => isAvailable(p, minReadyMs, nowMs)).length,
  };
}

export interface DeploymentStatus {
  /** Active pods of the new revision. */
  updatedReplicas: number;
  /** Active pods of every revision. */
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

export function deploymentStatus(pods: readonly PodView[], minReadyMs: number, nowMs: number): DeploymentStatus {
  const o = replicaSetStatus(pods, 'old', minReadyMs, nowMs);
  const n = replicaSetStatus(pods, 'new', minReadyMs, nowMs);
  return {
    updatedReplicas: n.replicas,
    replicas: o.replicas + n.replicas,
    readyReplicas: o.ready + n.ready,
    availableReplicas: o.available + n.available,
  };
}

/** util.DeploymentComplete: every replica updated, available, and no old replica left. */
export function isComplete(spec: DeploymentSpec, status: DeploymentStatus): boolean {
  return (
    status.updatedReplicas === spec.replicas &&
    status.replicas === spec.replicas &&
    status.availableReplicas === spec.replicas
  );
}

/** util.DeploymentProgressing: something moved forward since the last status. */
export function isProgressing(previous: DeploymentStatus, current: DeploymentStatus): boolean {
  const oldBefore = previous.replicas - previous.updatedReplicas;
  const oldNow = current.replicas - current.updatedReplicas;
  return (
    current.updatedReplicas > previous.updatedReplicas ||
    oldNow < oldBefore ||
    current.readyReplicas > previous.readyReplicas ||
    current.availableReplicas > previous.availableReplicas
  );
}

export type SyncAction = 'scale-up' | 'scale-down' | 'wait' | 'complete';

export interface SyncResult {
  specs: ReplicaSetSpecs;
  action: SyncAction;
  /** One line saying why, for the event log. */
  reason: string;
}

/**
 * One sync of the Deployment controller. A RollingUpdate sync scales the new ReplicaSet up OR the old one down,
 * never both (rolloutRolling returns after the first change).
 */
export function syncDeployment(
  spec: DeploymentSpec,
  specs: ReplicaSetSpecs,
  pods: readonly PodView[],
  nowMs: number,
): SyncResult {
  const status = deploymentStatus(pods, spec.minReadyMs, nowMs);
  if (spec.rollout.type === 'Recreate') return syncRecreate(spec, specs, pods, status);

  // reconcileNewReplicaSet (NewRSNewReplicas): counts use ReplicaSet spec.replicas, not pods.
  if (specs.new > spec.replicas) {
    return { specs: { ...specs, new: spec.replicas }, action: 'scale-down', reason: 'new ReplicaSet above replicas' };
  }
  if (specs.new < spec.replicas) {
    const current = specs.old + specs.new;
    const maxTotal = spec.replicas + spec.rollout.maxSurge;
    if (current < maxTotal) {
      const up = Math.min(maxTotal - current, spec.replicas - specs.new);
      return {
        specs: { ...specs, new: specs.new + up },
        action: 'scale-up',
        reason: `new ReplicaSet ${specs.new} -> ${specs.new + up} (at most ${maxTotal} = replicas + maxSurge ${spec.rollout.maxSurge})`,
      };
    }
  }

  // reconcileOldReplicaSets
  if (specs.old > 0) {
    const newStatus = replicaSetStatus(pods, 'new', spec.minReadyMs, nowMs);
    const oldStatus = replicaSetStatus(pods, 'old', spec.minReadyMs, nowMs);
    const minAvailable = spec.replicas - spec.rollout.maxUnavailable;
    const newUnavailable = specs.new - newStatus.available;
    const maxScaledDown = specs.old + specs.new - minAvailable - newUnavailable;
    if (maxScaledDown > 0) {
      // cleanupUnhealthyReplicas: old pods that are not available go first, within maxScaledDown.
      const unhealthy = Math.max(0, specs.old - oldStatus.available);
      const cleanup = Math.min(maxScaledDown, unhealthy);
      let old = specs.old - cleanup;
      // scaleDownOldReplicaSetsForRollingUpdate: keep minAvailable available pods across both ReplicaSets.
      const available = oldStatus.available + newStatus.available;
      const down = available > minAvailable ? Math.min(old, available - minAvailable) : 0;
      old -= down;
      if (old < specs.old) {
        return {
          specs: { ...specs, old },
          action: 'scale-down',
          reason: `old ReplicaSet ${specs.old} -> ${old} (${available} available, at least ${minAvailable} = replicas - maxUnavailable ${spec.rollout.maxUnavailable})`,
        };
      }
    }
  }
  if (isComplete(spec, status)) return { specs, action: 'complete', reason: 'every replica updated and available' };
  return { specs, action: 'wait', reason: waitingFor(spec, specs, status) };
}

function syncRecreate(
  spec: DeploymentSpec,
  specs: ReplicaSetSpecs,
  pods: readonly PodView[],
  status: DeploymentStatus,
): SyncResult {
  if (specs.old > 0) {
    return { specs: { ...specs, old: 0 }, action: 'scale-down', reason: 'Recreate: old ReplicaSet -> 0' };
  }
  // oldPodsRunning: terminating old pods still hold the new ones back.
  if (pods.some((p) => p.revision === 'old' && !p.gone)) {
    return { specs, action: 'wait', reason: 'Recreate: waiting for every old pod to exit' };
  }
  if (specs.new < spec.replicas) {
    return {
      specs: { ...specs, new: spec.replicas },
      action: 'scale-up',
      reason: `Recreate: new ReplicaSet -> ${spec.replicas}`,
    };
  }
  if (isComplete(spec, status)) return { specs, action: 'complete', reason: 'every replica updated and available' };
  return { specs, action: 'wait', reason: waitingFor(spec, specs, status) };
}

function waitingFor(spec: DeploymentSpec, specs: ReplicaSetSpecs, status: DeploymentStatus): string {
  return `waiting: ${status.updatedReplicas}/${spec.replicas} updated, ${status.availableReplicas} available, old ReplicaSet at ${specs.old}`;
}

export interface ReplicaSetActions {
  create: number;
  /** Pod names to delete, in victim order. */
  delete: string[];
}

/**
 * The ReplicaSet controller's manageReplicas: create or delete active pods to match spec.replicas (`speed`: see
 * victimOrder).
 */
export function reconcileReplicaSet(
  revision: Revision,
  replicas: number,
  pods: readonly PodView[],
  nowMs: number,
  speed = 1,
): ReplicaSetActions {
  const active = activePods(pods, revision);
  const diff = active.length - replicas;
  if (diff < 0) return { create: -diff, delete: [] };
  if (diff === 0) return { create: 0, delete: [] };
  return {
    create: 0,
    delete: victimOrder(active, nowMs, speed)
      .slice(0, diff)
      .map((p) => p.name),
  };
}

/**
 * Pod timestamps in the API (creationTimestamp, a condition's lastTransitionTime) have whole seconds: of Kubernetes
 * time, so 1000 / speed ms of the caller's clock under --speed.
 */
function wholeSecondMs(ms: number, speed: number): number {
  const second = 1000 / speed;
  return Math.floor(ms / second) * second;
}

/**
 * logarithmicRankDiff's rank of a timestamp: floor(log2) of its age in nanoseconds of Kubernetes time, -1 when it
 * is not past.
 */
function logarithmicRank(atMs: number, nowMs: number, speed: number): number {
  const ageNs = (nowMs - wholeSecondMs(atMs, speed)) * speed * 1e6;
  return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
}

/** Two timestamps as the ranking compares them: the younger first by log2 bucket of age, a tie by pod UID. */
function byAge(a: PodView, b: PodView, atA: number, atB: number, nowMs: number, speed: number): number {
  if (wholeSecondMs(atA, speed) === wholeSecondMs(atB, speed)) return 0;
  const diff = logarithmicRank(atA, nowMs, speed) - logarithmicRank(atB, nowMs, speed);
  if (diff !== 0) return diff;
  const ua = a.uid ?? a.name;
  const ub = b.uid ?? b.name;
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * controller.ActivePodsWithRanks ordering (the first is deleted first): Pending before Running, not-Ready before
 * Ready, then — with LogarithmicScaleDown, on and locked since 1.31 — Ready for less time before longer and newer
 * before older compared by the log2 bucket of their age on whole-second timestamps, pods of one bucket ordered by
 * UID (so, in effect, at random); more restarts before fewer between the two. All replicas share one node, so the
 * node-sibling and deletion-cost rules are ties. `speed` is the rehearsal's --speed: times are wall-clock ms of a
 * Kubernetes clock that runs `speed` times faster.
 */
export function victimOrder(pods: readonly PodView[], nowMs: number, speed = 1): PodView[] {
  return [...pods].sort((a, b) => {
    if (a.running !== b.running) return a.running ? 1 : -1;
    if (a.ready !== b.ready) return a.ready ? 1 : -1;
    if (a.ready && a.readySinceMs !== undefined && b.readySinceMs !== undefined) {
      const d = byAge(a, b, a.readySinceMs, b.readySinceMs, nowMs, speed);
      if (d !== 0) return d;
    }
    if (a.restarts !== b.restarts) return b.restarts - a.restarts;
    return byAge(a, b, a.createdMs, b.createdMs, nowMs, speed);
  });
}
