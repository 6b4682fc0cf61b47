import {
  customResourcesIn,
  type LabelSelector,
  matchesSelector,
  otherPodTemplates,
  type PodDisruptionBudget,
  workloadsOfPdb,
} from '@zerodrop/core';
import type { Rule, RuleContext } from '../rule.js';

/** `app=web, tier in (front,edge)`: a selector as kubectl prints it. */
function selectorText(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values?.length ? ` (${e.values.join(',')})` : '';
    parts.push(`${e.key} ${e.operator}${values}`);
  }
  return parts.join(', ');
}

/** Why the selector itself, as Kubernetes reads it, matches no pod anywhere; undefined when it may match some. */
function emptyByDefinition(pdb: PodDisruptionBudget): string | undefined {
  if (!pdb.selectsNothing) return undefined;
  return pdb.selectorForm === 'missing'
    ? 'has no selector, and a budget without a selector selects no pod'
    : 'has an empty selector ({}), which policy/v1beta1 reads as selecting no pod (policy/v1 reads it as every pod of the namespace)';
}

function report(context: RuleContext, pdb: PodDisruptionBudget, why: string): void {
  context.report({
    object: pdb.doc,
    path: pdb.selectorForm === 'missing' ? ['spec'] : ['spec', 'selector'],
    message: `PodDisruptionBudget ${pdb.namespace}/${pdb.name} ${why}: it protects nothing, and a drain may evict every pod of the workload it was meant for at once. Make the selector match that workload's pod template labels`,
  });
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
      const empty = emptyByDefinition(pdb);
      if (empty) {
        report(context, pdb, empty);
        continue;
      }
      if (workloadsOfPdb(context.set, pdb).length > 0) continue;
      // Pods made by Jobs, CronJobs and ReplicationControllers count; pods an operator makes from a custom resource
      // cannot be told apart, and neither can pods of manifests that are not in the run: say nothing then.
      const templates = otherPodTemplates(context.set).filter((t) => t.namespace === pdb.namespace);
      if (templates.some((t) => matchesSelector(t.podLabels, pdb.selector))) continue;
      if (customResourcesIn(context.set, pdb.namespace).length > 0) continue;
      const neighbours = context.set.workloads.filter((w) => w.namespace === pdb.namespace);
      if (neighbours.length === 0) continue;
      const shown = neighbours
        .slice(0, 3)
        .map((w) => `${context.describe(w)} has ${selectorText({ matchLabels: w.podLabels }) || 'no labels'}`);
      if (neighbours.length > 3) shown.push(`${neighbours.length - 3} more`);
      report(
        context,
        pdb,
        `selects ${selectorText(pdb.selector)}, but no workload in namespace ${pdb.namespace} has pods with those labels (${shown.join('; ')})`,
      );
    }
  },
};
