import { asRecord, asStringMap, hpaOf, matchesSelector, pdbsOf, serves, type Workload } from '@zerodrop/core';
import type { Rule } from '../rule.js';

/** A name for the added PDB that no PDB of the namespace has, written or added in this run. */
function freeName(w: Workload, taken: Set<string>): string {
  const base = w.name || 'workload';
  let name = base;
  for (let n = 1; taken.has(`${w.namespace}/${name}`); n++)
    name = `${base}-${w.kind.toLowerCase()}${n > 1 ? `-${n}` : ''}`;
  taken.add(`${w.namespace}/${name}`);
  return name;
}

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
    const taken = new Set(context.set.pdbs.map((p) => `${p.namespace}/${p.name}`));
    // Selectors of the PDBs this fix adds, under the namespace and first label they require: a workload whose pods
    // one of them selects gets no second PDB (two budgets over one pod make every eviction of it fail).
    const added = new Map<string, Record<string, string>[]>();
    const keyOf = (namespace: string, label: [string, string]) => `${namespace}\u0000${label[0]}\u0000${label[1]}`;
    for (const w of context.set.workloads) {
      if (w.kind === 'Pod' || w.kind === 'DaemonSet') continue;
      const replicas = Math.max(w.replicas, hpaOf(context.set, w)?.minReplicas ?? 0);
      if (replicas < 2 || pdbsOf(context.set, w).length > 0) continue;
      // A worker pool evicted at once pauses; only a workload that serves traffic drops requests.
      if (!serves(context.set, w)) continue;
      const selector = asStringMap(asRecord(asRecord(w.doc.object.spec).selector).matchLabels);
      const matchLabels = Object.keys(selector).length > 0 ? selector : w.podLabels;
      const covered = Object.entries(w.podLabels).some(([k, v]) =>
        (added.get(keyOf(w.namespace, [k, v])) ?? []).some((m) => matchesSelector(w.podLabels, { matchLabels: m })),
      );
      const first = Object.entries(matchLabels)[0];
      // A selector that does not match the workload's own pods (Kubernetes rejects such a workload) would give a PDB
      // that selects nothing: no fix then.
      const selectsPods = matchesSelector(w.podLabels, { matchLabels });
      const fixable = first !== undefined && !covered && selectsPods;
      if (fixable) {
        const list = added.get(keyOf(w.namespace, first));
        if (list) list.push(matchLabels);
        else added.set(keyOf(w.namespace, first), [matchLabels]);
      }
      const pdb = {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: {
          name: fixable ? freeName(w, taken) : w.name,
          ...(w.doc.namespace ? { namespace: w.doc.namespace } : {}),
        },
        spec: { maxUnavailable: 1, selector: { matchLabels } },
      };
      context.report({
        object: w.doc,
        path: ['metadata', 'name'],
        message: `${context.describe(w)} runs ${replicas} replicas and no PodDisruptionBudget selects its pods: a node drain or cluster upgrade may evict all of them at once. Add a PDB with maxUnavailable: 1`,
        ...(fixable
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
