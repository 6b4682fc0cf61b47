import { effectiveRollout, servingContainers } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'rollout-recreate',
    description: 'A Deployment that serves traffic uses strategy Recreate, so every rollout stops all pods first',
    severity: 'error',
    fixable: false,
    condition: '4-ready-and-capacity',
  },
  check(context) {
    for (const w of context.set.workloads) {
      if (w.kind !== 'Deployment' || w.strategy?.type !== 'Recreate' || w.replicas === 0) continue;
      const app = servingContainers(context.set, w)[0];
      if (!app) continue;
      const rollout = effectiveRollout(w.replicas, w.strategy);
      const stopped = ` (up to ${context.timelineOf(w, app).sigkillAtSeconds}s after deletion, at SIGKILL)`;
      context.report({
        object: w.doc,
        path: ['spec', 'strategy', 'type'],
        message: `${context.describe(w)}: ${rollout.explanation.join('; ')}. New pods are created only once the old ones have terminated${stopped}, so from the moment the endpoints are removed until the first new pod is ready, every request fails: downtime on every rollout. Use strategy RollingUpdate with maxUnavailable: 0 and maxSurge: 1`,
      });
    }
  },
};
