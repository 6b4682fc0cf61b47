import {
  type DisruptionAllowance,
  disruptionAllowance,
  hpaOf,
  IntOrPercentError,
  workloadsOfPdb,
} from '@zerodrop/core';
import type { Rule } from '../rule.js';

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
      // kubectl drain skips DaemonSet pods and bare Pods are deleted, not counted: only replicated workloads matter.
      const workloads = workloadsOfPdb(context.set, pdb).filter((w) => w.kind !== 'DaemonSet' && w.kind !== 'Pod');
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
