import { hpaOf, serves } from '@zerodrop/core';
import type { Rule } from '../rule.js';

/**
 * A StatefulSet never surges: every rollout deletes its only pod before creating the replacement. (A Deployment's
 * rollout that takes the only pod down is rollout-max-unavailable's finding, with its arithmetic and fix.)
 */
const STATEFULSET_GAP = 'every rollout deletes it before creating its replacement (StatefulSets never surge)';

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
      const gap = w.kind === 'StatefulSet' ? STATEFULSET_GAP : undefined;
      context.report({
        ...(hpa ? { object: hpa.doc, path: ['spec', 'minReplicas'] } : { object: w.doc, path: ['spec', 'replicas'] }),
        message: `${context.describe(w)} ${runs}: a node drain or eviction deletes the only pod, and nothing serves until its replacement is scheduled, started and ready${gap ? `; ${gap}` : ''}. A PodDisruptionBudget cannot help: minAvailable 1 of 1 allows no eviction and blocks every drain. Run at least 2 replicas (${hpa ? 'minReplicas' : 'replicas'}: 2) with a PDB of maxUnavailable: 1`,
      });
    }
  },
};
