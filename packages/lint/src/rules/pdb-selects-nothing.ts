import type { LabelSelector } from '@zerodrop/core';
import { workloadsOfPdb } from '@zerodrop/core';
import type { Rule } from '../rule.js';

/** `app=web, tier in (front,edge)`: a selector as kubectl prints it. */
function selectorText(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values?.length ? ` (${e.values.join(',')})` : '';
    parts.push(`${e.key} ${e.operator}${values}`);
  }
  return parts.join(', ');
}

export const rule: Rule = {
  meta: {
    id: 'pdb-selects-nothing',
    description: "A PodDisruptionBudget's selector matches no workload's pods in its namespace, so it protects nothing",
    severity: 'warning',
    fixable: false,
    condition: '5-disruption-budget',
  },
  check(context) {
    for (const pdb of context.set.pdbs) {
      // With no workload of that namespace in the run, the PDB may well target pods defined elsewhere: say nothing.
      const neighbours = context.set.workloads.filter((w) => w.namespace === pdb.namespace);
      if (neighbours.length === 0 || workloadsOfPdb(context.set, pdb).length > 0) continue;
      const shown = neighbours
        .slice(0, 3)
        .map((w) => `${context.describe(w)} has ${selectorText({ matchLabels: w.podLabels }) || 'no labels'}`);
      if (neighbours.length > 3) shown.push(`${neighbours.length - 3} more`);
      context.report({
        object: pdb.doc,
        path: ['spec', 'selector'],
        message: `PodDisruptionBudget ${pdb.namespace}/${pdb.name} selects ${selectorText(pdb.selector)}, but no workload in namespace ${pdb.namespace} has pods with those labels (${shown.join('; ')}): it protects nothing, and a drain may evict every pod of the workload it was meant for at once. Make the selector match that workload's pod template labels`,
      });
    }
  },
};
