import {
  bindsNodePorts,
  daemonSetRollout,
  effectiveRollout,
  hasPath,
  IntOrPercentError,
  type RolloutStrategy,
  serves,
  type Workload,
  type YamlPath,
} from '@zerodrop/core';
import type { Edit, Rule, RuleContext } from '../rule.js';

/**
 * Edits that make `base` (a rollingUpdate map) read maxUnavailable 0, maxSurge 1: two values when the map is written,
 * else one edit that writes the missing part whole, so both keys land in one new map.
 */
function surgeEdits(w: Workload, base: YamlPath): Edit[] {
  const values = { maxUnavailable: 0, maxSurge: 1 };
  if (hasPath(w.doc, base)) {
    return Object.entries(values).map(([key, value]) => ({ op: 'set', object: w.doc, path: [...base, key], value }));
  }
  let missing = base.length - 1;
  while (missing > 0 && !hasPath(w.doc, base.slice(0, missing))) missing--;
  let value: unknown = values;
  for (let i = base.length - 1; i > missing; i--) value = { [String(base[i])]: value };
  return [{ op: 'set', object: w.doc, path: base.slice(0, missing + 1), value }];
}

function checkDaemonSet(context: RuleContext, w: Workload): void {
  if (w.strategy?.type === 'OnDelete') return;
  // Surge is impossible for these pods, so maxUnavailable >= 1 is the only rolling update there is: say nothing.
  if (bindsNodePorts(w)) return;
  const base: YamlPath = ['spec', 'updateStrategy', 'rollingUpdate'];
  let rollout: ReturnType<typeof daemonSetRollout>;
  try {
    rollout = daemonSetRollout(w.strategy);
  } catch (error) {
    if (!(error instanceof IntOrPercentError)) throw error;
    context.report({ object: w.doc, path: base, message: `${context.describe(w)}: ${error.message}` });
    return;
  }
  if (!rollout.takesPodsDown) return;
  context.report({
    object: w.doc,
    path: [...base, 'maxUnavailable'],
    message: `${context.describe(w)}: ${rollout.explanation}; while a node's pod is replaced, that node has none, and traffic sent to it there is refused. Set maxUnavailable: 0 and maxSurge: 1, so the new pod is ready on the node before the old one stops`,
    fix: { description: 'set maxUnavailable: 0, maxSurge: 1', edits: surgeEdits(w, base) },
  });
}

export const rule: Rule = {
  meta: {
    id: 'rollout-max-unavailable',
    description:
      'The rolling update of a workload that serves traffic may take pods down before their replacements are ready',
    severity: 'warning',
    fixable: true,
    condition: '4-ready-and-capacity',
  },
  check(context) {
    for (const w of context.set.workloads) {
      // Fewer workers for a while drops no request: only capacity that serves traffic counts.
      if (!serves(context.set, w)) continue;
      if (w.kind === 'DaemonSet') {
        checkDaemonSet(context, w);
        continue;
      }
      let base: YamlPath;
      const strategy: RolloutStrategy | undefined = w.strategy;
      if (w.kind === 'Deployment') base = ['spec', 'strategy', 'rollingUpdate'];
      else if (w.kind === 'Rollout' && w.argoStrategy === 'canary') base = ['spec', 'strategy', 'canary'];
      else continue;
      if (strategy?.type === 'Recreate' || w.replicas === 0) continue;
      let rollout: ReturnType<typeof effectiveRollout>;
      try {
        rollout = effectiveRollout(w.replicas, strategy);
      } catch (error) {
        if (!(error instanceof IntOrPercentError)) throw error;
        context.report({ object: w.doc, path: base, message: `${context.describe(w)}: ${error.message}` });
        continue;
      }
      if (rollout.maxUnavailable === 0) continue;
      const edits = [{ op: 'set' as const, object: w.doc, path: [...base, 'maxUnavailable'], value: 0 }];
      if (rollout.maxSurge === 0) edits.push({ op: 'set', object: w.doc, path: [...base, 'maxSurge'], value: 1 });
      context.report({
        object: w.doc,
        path: [...base, 'maxUnavailable'],
        message: `${context.describe(w)}: the rollout may take ${rollout.maxUnavailable} pod(s) down before replacements are ready (${rollout.explanation.join('; ')}); capacity dips during every rollout. Set maxUnavailable: 0 and maxSurge >= 1`,
        fix: { description: `set maxUnavailable: 0${rollout.maxSurge === 0 ? ', maxSurge: 1' : ''}`, edits },
      });
    }
  },
};
