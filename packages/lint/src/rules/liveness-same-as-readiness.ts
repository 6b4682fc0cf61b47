import { sameProbeTarget } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'liveness-same-as-readiness',
    description: 'livenessProbe and readinessProbe hit the same endpoint, so a not-ready pod is also restarted',
    severity: 'warning',
    fixable: false,
    condition: '7-shallow-liveness',
  },
  check(context) {
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        const live = c.livenessProbe;
        const ready = c.readinessProbe;
        if (!live || !ready || !sameProbeTarget(live.resolved, ready.resolved)) continue;
        const handler = ready.resolved.handler;
        const target = handler?.type === 'httpGet' ? ` (${handler.path} on port ${handler.port})` : '';
        context.report({
          object: w.doc,
          path: [...c.path, 'livenessProbe'],
          message: `${context.describe(w, c)}: livenessProbe checks the same endpoint as readinessProbe${target}; when readiness fails on purpose (a dependency is down, or the app is draining) the kubelet also restarts the container. Point liveness at a shallow endpoint that only says the process is alive`,
        });
      }
    }
  },
};
