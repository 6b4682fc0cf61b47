import {
  type DisruptionAllowance,
  disruptionAllowance,
  hpaOf,
  IntOrPercentError,
  type PodDisruptionBudget,
  workloadsOfPdb,
} from '@zerodrop/core';
import type { Rule, RuleContext } from '../rule.js';

/** A budget that forbids every eviction whatever the pod count: `maxUnavailable: 0` / `"0%"`, `minAvailable: 100%`. */
function zeroWhateverTheCount(pdb: PodDisruptionBudget): string | undefined {
  const text = (v: number | string | undefined) => (typeof v === 'string' ? v.trim() : v);
  const max = text(pdb.maxUnavailable);
  if (max !== undefined) return max === 0 || max === '0' || max === '0%' ? `maxUnavailable ${max}` : undefined;
  const min = text(pdb.minAvailable);
  return min === '100%' ? 'minAvailable 100%' : undefined;
}

/**
 * A budget whose pods are not in the run: most budgets then depend on a replica count zerodrop cannot see, but one
 * that allows no disruption for any count blocks the drain of every pod it selects, wherever they are defined.
 */
function reportLone(context: RuleContext, pdb: PodDisruptionBudget): void {
  const zero = pdb.selectsNothing ? undefined : zeroWhateverTheCount(pdb);
  if (!zero) return;
  const field = pdb.maxUnavailable !== undefined ? 'maxUnavailable' : 'minAvailable';
  context.report({
    object: pdb.doc,
    path: ['spec', field],
    message: `PodDisruptionBudget ${pdb.namespace}/${pdb.name} allows no disruption whatever the number of pods it selects (${zero}; it selects no workload of the linted files): every eviction of those pods answers 429, so kubectl drain retries every 5 s and node drains and cluster upgrades never finish. Use maxUnavailable: 1 over at least 2 replicas (not fixed automatically: the replica count is not in the linted files)`,
  });
}

export const rule: Rule = {
  meta: {
    id: 'pdb-blocks-eviction',
    description:
      'A PodDisruptionBudget allows no disruption at all (floor ≥ replicas, or maxUnavailable 0), so drains block forever',
    severity: 'error',
    fixable: true,
    condition: '5-disruption-budget',
  },
  check(context) {
    for (const pdb of context.set.pdbs) {
      const selected = workloadsOfPdb(context.set, pdb);
      if (selected.length === 0) {
        reportLone(context, pdb);
        continue;
      }
      // kubectl drain skips DaemonSet pods and bare Pods are deleted, not counted: only replicated workloads matter.
      const workloads = selected.filter((w) => w.kind !== 'DaemonSet' && w.kind !== 'Pod');
      if (workloads.length === 0) continue;
      // With an HPA the replica count can fall to minReplicas: the floor must stay below the smallest count.
      const counts = workloads.map((w) => {
        const hpa = hpaOf(context.set, w);
        const pods = hpa ? hpa.minReplicas : w.replicas;
        return {
          pods,
          text: `${context.describe(w)} ${hpa ? `scales down to ${pods} (HPA ${hpa.name})` : `runs ${pods}`}`,
        };
      });
      const expectedPods = counts.reduce((n, c) => n + c.pods, 0);
      if (expectedPods === 0) continue;
      const field = pdb.maxUnavailable !== undefined ? 'maxUnavailable' : 'minAvailable';
      const name = `PodDisruptionBudget ${pdb.namespace}/${pdb.name}`;
      let allowance: DisruptionAllowance | undefined;
      try {
        allowance = disruptionAllowance(pdb, expectedPods);
      } catch (error) {
        if (!(error instanceof IntOrPercentError)) throw error;
        context.report({ object: pdb.doc, path: ['spec', field], message: `${name}: ${field}: ${error.message}` });
        continue;
      }
      if (!allowance || allowance.disruptionsAllowed > 0) continue;
      const advice =
        expectedPods < 2
          ? 'A single pod cannot be evicted without downtime: run at least 2 replicas and use maxUnavailable: 1'
          : 'Use maxUnavailable: 1 (or a minAvailable below the smallest replica count)';
      const fixable = field === 'maxUnavailable' && expectedPods >= 2;
      context.report({
        object: pdb.doc,
        path: ['spec', field],
        message: `${name} allows no disruption: ${allowance.explanation} (${counts.map((c) => c.text).join('; ')}). Every eviction answers 429, so kubectl drain retries every 5 s and node drains and cluster upgrades never finish. ${advice}`,
        ...(fixable
          ? {
              fix: {
                description: 'set maxUnavailable: 1',
                edits: [{ op: 'set' as const, object: pdb.doc, path: ['spec', 'maxUnavailable'], value: 1 }],
              },
            }
          : {}),
      });
    }
  },
};
