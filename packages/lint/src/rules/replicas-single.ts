import { effectiveRollout, hpaOf, IntOrPercentError, serves, type Workload } from '@zerodrop/core';
import type { Rule } from '../rule.js';

/** What a rollout does to the only pod, when it takes it down before its replacement is ready. */
function rolloutGap(w: Workload): string | undefined {
  if (w.kind === 'StatefulSet')
    return 'every rollout deletes it before creating its replacement (StatefulSets never surge)';
  if (w.kind !== 'Deployment' && w.kind !== 'Rollout') return undefined;
  // Recreate is rollout-recreate's finding; a blueGreen Rollout starts the new pod first.
  if (w.strategy?.type === 'Recreate' || w.argoStrategy === 'blueGreen') return undefined;
  try {
    const rollout = effectiveRollout(1, w.strategy);
    if (rollout.maxUnavailable === 0) return undefined;
    return `every rollout takes it down before its replacement is ready (${rollout.explanation.join('; ')})`;
  } catch (error) {
    // A malformed maxSurge/maxUnavailable is rollout-max-unavailable's finding.
    if (error instanceof IntOrPercentError) return undefined;
    throw error;
  }
}

export const rule: Rule = {
  meta: {
    id: 'replicas-single',
    description: 'A workload that serves traffic runs a single replica, so a drain or eviction leaves nothing serving',
    severity: 'warning',
    fixable: false,
    condition: '5-disruption-budget',
  },
  check(context) {
    for (const w of context.set.workloads) {
      if (w.kind === 'Pod' || w.kind === 'DaemonSet') continue;
      const hpa = hpaOf(context.set, w);
      if ((hpa ? hpa.minReplicas : w.replicas) !== 1 || !serves(context.set, w)) continue;
      const runs = hpa
        ? `scales down to 1 replica (HorizontalPodAutoscaler ${hpa.name} minReplicas 1)`
        : 'runs 1 replica';
      const gap = rolloutGap(w);
      context.report({
        ...(hpa ? { object: hpa.doc, path: ['spec', 'minReplicas'] } : { object: w.doc, path: ['spec', 'replicas'] }),
        message: `${context.describe(w)} ${runs}: a node drain or eviction deletes the only pod, and nothing serves until its replacement is scheduled, started and ready${gap ? `; ${gap}` : ''}. A PodDisruptionBudget cannot help: minAvailable 1 of 1 allows no eviction and blocks every drain. Run at least 2 replicas (${hpa ? 'minReplicas' : 'replicas'}: 2) with a PDB of maxUnavailable: 1`,
      });
    }
  },
};
