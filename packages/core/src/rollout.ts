import { type IntOrPercent, isPercent, scaleIntOrPercent } from './intstr.js';

/** `spec.strategy` of a Deployment (or the rolling part of a StatefulSet/DaemonSet, where it applies). */
export interface RolloutStrategy {
  type?: 'RollingUpdate' | 'Recreate' | string;
  rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent };
}

/** Kubernetes' defaults when `strategy` or its fields are left out. */
export const DEFAULT_MAX_SURGE: IntOrPercent = '25%';
export const DEFAULT_MAX_UNAVAILABLE: IntOrPercent = '25%';

/** What the Deployment controller will actually do with a strategy, after defaults and rounding. */
export interface EffectiveRollout {
  type: 'RollingUpdate' | 'Recreate';
  replicas: number;
  /** Pods above `replicas` the controller may create (maxSurge rounded up). */
  maxSurge: number;
  /** Pods below `replicas` the controller may let be unavailable (maxUnavailable rounded down, then fenceposted). */
  maxUnavailable: number;
  /** replicas - maxUnavailable: the floor of available pods during the rollout. */
  minAvailable: number;
  /** replicas + maxSurge: the ceiling of non-terminating pods. */
  maxTotal: number;
  /** The values as written (or defaulted), for messages. */
  written: { maxSurge: IntOrPercent; maxUnavailable: IntOrPercent; defaulted: boolean };
  /** One line per step of the arithmetic, for `plan` and rule messages. */
  explanation: string[];
}

/**
 * Resolves maxSurge/maxUnavailable as pkg/controller/deployment/util.ResolveFenceposts and MaxUnavailable do:
 * surge rounds up, unavailable rounds down; both 0 makes unavailable 1; unavailable never exceeds replicas.
 * `Recreate` takes every old pod down first: maxUnavailable = replicas, no surge.
 */
export function effectiveRollout(replicas: number, strategy: RolloutStrategy | undefined): EffectiveRollout {
  if (strategy?.type === 'Recreate') {
    return {
      type: 'Recreate',
      replicas,
      maxSurge: 0,
      maxUnavailable: replicas,
      minAvailable: 0,
      maxTotal: replicas,
      written: { maxSurge: 0, maxUnavailable: replicas, defaulted: false },
      explanation: [`strategy Recreate: all ${replicas} old pod(s) are stopped before any new pod starts`],
    };
  }
  const ru = strategy?.rollingUpdate;
  const surgeWritten = ru?.maxSurge ?? DEFAULT_MAX_SURGE;
  const unavailableWritten = ru?.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE;
  const defaulted = ru?.maxSurge === undefined || ru?.maxUnavailable === undefined;
  const explanation: string[] = [];
  let surge = scaleIntOrPercent(surgeWritten, replicas, true);
  let unavailable = scaleIntOrPercent(unavailableWritten, replicas, false);
  explanation.push(
    `maxSurge ${fmt(surgeWritten, ru?.maxSurge === undefined)} of ${replicas} rounds up to ${surge}`,
    `maxUnavailable ${fmt(unavailableWritten, ru?.maxUnavailable === undefined)} of ${replicas} rounds down to ${unavailable}`,
  );
  if (surge === 0 && unavailable === 0) {
    unavailable = 1;
    explanation.push('both are 0, so Kubernetes sets maxUnavailable to 1 to make progress');
  }
  if (unavailable > replicas) {
    unavailable = replicas;
    explanation.push(`maxUnavailable is capped at replicas (${replicas})`);
  }
  if (replicas === 0) surge = Math.max(surge, 0);
  return {
    type: 'RollingUpdate',
    replicas,
    maxSurge: surge,
    maxUnavailable: unavailable,
    minAvailable: replicas - unavailable,
    maxTotal: replicas + surge,
    written: { maxSurge: surgeWritten, maxUnavailable: unavailableWritten, defaulted },
    explanation,
  };
}

function fmt(value: IntOrPercent, defaulted: boolean): string {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  return defaulted ? `${shown} (default)` : shown;
}

/** How many pods a percentage of nodes takes down, rounded up, in words that hold for any node count. */
function percentOfNodes(percent: number): string {
  if (percent >= 100) return 'every node loses its pod at once';
  const upTo = Math.floor(100 / percent);
  return `at least 1 pod at a time, more on clusters of more than ${upTo} node${upTo === 1 ? '' : 's'}`;
}

/** A DaemonSet's rolling update: one pod per node, so its steps count nodes, a number the manifests do not hold. */
export interface DaemonSetRollout {
  /** maxUnavailable as written, or the default 1. */
  maxUnavailable: IntOrPercent;
  /** maxSurge as written, or the default 0. */
  maxSurge: IntOrPercent;
  /** True when a node's pod may go down before its replacement is ready (maxUnavailable above 0). */
  takesPodsDown: boolean;
  /** How many pods go down at once, in words that hold for any node count. */
  explanation: string;
}

/**
 * Reads a DaemonSet's rollingUpdate as the DaemonSet controller does: maxUnavailable defaults to 1 and maxSurge to 0,
 * and a percentage is of the nodes that run the pod, rounded up (so any percentage above 0 is at least one pod).
 * Throws IntOrPercentError for a value Kubernetes would reject.
 */
export function daemonSetRollout(strategy: RolloutStrategy | undefined): DaemonSetRollout {
  const ru = strategy?.rollingUpdate;
  const maxUnavailable = ru?.maxUnavailable ?? 1;
  const maxSurge = ru?.maxSurge ?? 0;
  // Scaled against one node and a hundred: 0 for both means 0 whatever the count; validates the values too.
  scaleIntOrPercent(maxSurge, 1, true);
  const down = scaleIntOrPercent(maxUnavailable, 100, true);
  const written = ru?.maxUnavailable === undefined ? '1 (default)' : fmt(maxUnavailable, false);
  const explanation =
    down === 0
      ? `maxUnavailable ${written}: no node loses its pod before the replacement is ready`
      : isPercent(maxUnavailable)
        ? `maxUnavailable ${written} of the nodes that run it, rounded up: ${percentOfNodes(Number.parseFloat(maxUnavailable))}`
        : `maxUnavailable ${written}: ${down} node(s) at a time lose their pod before its replacement is ready`;
  return { maxUnavailable, maxSurge, takesPodsDown: down > 0, explanation };
}
