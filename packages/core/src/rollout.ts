import { type IntOrPercent, scaleIntOrPercent } from './intstr.js';

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
