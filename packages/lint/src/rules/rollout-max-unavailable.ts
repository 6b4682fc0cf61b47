import { effectiveRollout, IntOrPercentError, type RolloutStrategy, type YamlPath } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'rollout-max-unavailable',
    description:
      'The rolling update may take pods down before their replacements are ready (effective maxUnavailable > 0)',
    severity: 'warning',
    fixable: true,
    condition: '4-ready-and-capacity',
  },
  check(context) {
    for (const w of context.set.workloads) {
      let base: YamlPath;
      let strategy: RolloutStrategy | undefined = w.strategy;
      let replicas = w.replicas;
      if (w.kind === 'Deployment') base = ['spec', 'strategy', 'rollingUpdate'];
      else if (w.kind === 'Rollout' && w.argoStrategy === 'canary') base = ['spec', 'strategy', 'canary'];
      else if (w.kind === 'DaemonSet') {
        // DaemonSet defaults are maxUnavailable 1, maxSurge 0; a percentage scales by node count (taken as 100).
        base = ['spec', 'updateStrategy', 'rollingUpdate'];
        if (w.strategy?.type === 'OnDelete') continue;
        const ru = w.strategy?.rollingUpdate;
        strategy = { rollingUpdate: { maxSurge: ru?.maxSurge ?? 0, maxUnavailable: ru?.maxUnavailable ?? 1 } };
        replicas = 100;
      } else continue;
      if (strategy?.type === 'Recreate' || replicas === 0) continue;
      let rollout: ReturnType<typeof effectiveRollout>;
      try {
        rollout = effectiveRollout(replicas, strategy);
      } catch (error) {
        if (!(error instanceof IntOrPercentError)) throw error;
        context.report({ object: w.doc, path: base, message: `${context.describe(w)}: ${error.message}` });
        continue;
      }
      if (rollout.maxUnavailable === 0) continue;
      const edits = [{ op: 'set' as const, object: w.doc, path: [...base, 'maxUnavailable'], value: 0 }];
      if (rollout.maxSurge === 0) edits.push({ op: 'set', object: w.doc, path: [...base, 'maxSurge'], value: 1 });
      const arithmetic = w.kind === 'DaemonSet' ? '' : ` (${rollout.explanation.join('; ')})`;
      context.report({
        object: w.doc,
        path: [...base, 'maxUnavailable'],
        message: `${context.describe(w)}: the rollout may take ${rollout.maxUnavailable} pod(s) down before replacements are ready${arithmetic}; capacity dips during every rollout. Set maxUnavailable: 0 and maxSurge >= 1`,
        fix: { description: `set maxUnavailable: 0${rollout.maxSurge === 0 ? ', maxSurge: 1' : ''}`, edits },
      });
    }
  },
};
