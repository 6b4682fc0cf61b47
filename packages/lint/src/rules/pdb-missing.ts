import { asRecord, asStringMap, hpaOf, pdbsOf, serves } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'pdb-missing',
    description:
      'A replicated workload that serves traffic has no PodDisruptionBudget, so a node drain may evict all its pods at once',
    severity: 'warning',
    fixable: true,
    condition: '5-disruption-budget',
  },
  check(context) {
    for (const w of context.set.workloads) {
      if (w.kind === 'Pod' || w.kind === 'DaemonSet') continue;
      const replicas = Math.max(w.replicas, hpaOf(context.set, w)?.minReplicas ?? 0);
      if (replicas < 2 || pdbsOf(context.set, w).length > 0) continue;
      // A worker pool evicted at once pauses; only a workload that serves traffic drops requests.
      if (!serves(context.set, w)) continue;
      const selector = asStringMap(asRecord(asRecord(w.doc.object.spec).selector).matchLabels);
      const matchLabels = Object.keys(selector).length > 0 ? selector : w.podLabels;
      const pdb = {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: w.name, ...(w.doc.namespace ? { namespace: w.doc.namespace } : {}) },
        spec: { maxUnavailable: 1, selector: { matchLabels } },
      };
      context.report({
        object: w.doc,
        path: ['metadata', 'name'],
        message: `${context.describe(w)} runs ${replicas} replicas and no PodDisruptionBudget selects its pods: a node drain or cluster upgrade may evict all of them at once. Add a PDB with maxUnavailable: 1`,
        ...(Object.keys(matchLabels).length > 0
          ? {
              fix: {
                description: 'add a PodDisruptionBudget with maxUnavailable: 1',
                edits: [{ op: 'append' as const, source: w.doc.source, value: pdb }],
              },
            }
          : {}),
      });
    }
  },
};
