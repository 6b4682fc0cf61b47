import { effectiveRollout, servingContainers, volumeClaimsOf } from '@zerodrop/core';
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
      // A ReadWriteOnce claim is the usual reason for Recreate: the advice has to deal with it.
      const claims = volumeClaimsOf(w);
      const advice = claims.length
        ? `Its pods mount PersistentVolumeClaim ${claims.join(', ')}: if the volume is ReadWriteOnce, a surge pod on another node cannot attach it, which is why Recreate was chosen; the downtime stays until the state moves out of the pod (a StatefulSet, or a volume several pods can mount) and the Deployment rolls with maxUnavailable: 0 and maxSurge: 1`
        : 'Use strategy RollingUpdate with maxUnavailable: 0 and maxSurge: 1';
      const stopped = ` (up to ${context.timelineOf(w, app).sigkillAtSeconds}s after deletion, at SIGKILL)`;
      context.report({
        object: w.doc,
        path: ['spec', 'strategy', 'type'],
        message: `${context.describe(w)}: ${rollout.explanation.join('; ')}. New pods are created only once the old ones have terminated${stopped}, so from the moment the endpoints are removed until the first new pod is ready, every request fails: downtime on every rollout. ${advice}`,
      });
    }
  },
};
