import { pdbsOf } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'pdb-multiple',
    description: "More than one PodDisruptionBudget selects a workload's pods, so every eviction of them fails",
    severity: 'error',
    fixable: false,
    condition: '5-disruption-budget',
  },
  check(context) {
    for (const w of context.set.workloads) {
      const pdbs = pdbsOf(context.set, w);
      if (pdbs.length < 2) continue;
      context.report({
        object: w.doc,
        path: ['metadata', 'name'],
        message: `${context.describe(w)}: its pods are selected by ${pdbs.length} PodDisruptionBudgets (${pdbs.map((p) => p.name).join(', ')}): the eviction API answers 500 for a pod with more than one budget, so kubectl drain and cluster upgrades fail on every one of its pods. Keep one PodDisruptionBudget and narrow or delete the others`,
      });
    }
  },
};
