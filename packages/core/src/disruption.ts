import { type IntOrPercent, isPercent, scaleIntOrPercent } from './intstr.js';

/** The budget fields of a PodDisruptionBudget (minAvailable XOR maxUnavailable, int or percent). */
export interface DisruptionBudgetSpec {
  minAvailable?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
}

/** What a PodDisruptionBudget allows once every expected pod is healthy, as the disruption controller computes it. */
export interface DisruptionAllowance {
  /** Pods the budget counts: the replicas of the workloads it selects. */
  expectedPods: number;
  /** The floor: healthy pods that must remain. */
  desiredHealthy: number;
  /** Evictions allowed at once: max(0, expectedPods - desiredHealthy). 0 means every eviction answers 429. */
  disruptionsAllowed: number;
  /** The arithmetic, spelled out, e.g. `minAvailable 90% of 3 pods = 3 (rounded up)`. */
  explanation: string;
}

/**
 * The eviction allowance of a budget over `expectedPods` healthy pods. Percentages round up for both fields
 * (k8s-facts §5), so `minAvailable: 90%` of 3 pods is 3 and `maxUnavailable: 10%` of 3 pods is 1. Undefined when
 * the budget sets neither field. Throws IntOrPercentError for a value Kubernetes would reject.
 */
export function disruptionAllowance(
  budget: DisruptionBudgetSpec,
  expectedPods: number,
): DisruptionAllowance | undefined {
  const of = (value: IntOrPercent, scaled: number) =>
    isPercent(value) ? `${value.trim()} of ${expectedPods} pod(s) = ${scaled} (rounded up)` : `${scaled}`;
  let desiredHealthy: number;
  let explanation: string;
  if (budget.maxUnavailable !== undefined) {
    const maxUnavailable = scaleIntOrPercent(budget.maxUnavailable, expectedPods, true);
    desiredHealthy = Math.max(0, expectedPods - maxUnavailable);
    explanation = `maxUnavailable ${of(budget.maxUnavailable, maxUnavailable)}`;
  } else if (budget.minAvailable !== undefined) {
    desiredHealthy = scaleIntOrPercent(budget.minAvailable, expectedPods, true);
    explanation = `minAvailable ${of(budget.minAvailable, desiredHealthy)}`;
  } else return undefined;
  const disruptionsAllowed = Math.max(0, expectedPods - desiredHealthy);
  return {
    expectedPods,
    desiredHealthy,
    disruptionsAllowed,
    explanation: `${explanation}: ${expectedPods} healthy pod(s), ${desiredHealthy} required, ${disruptionsAllowed} disruption(s) allowed`,
  };
}
