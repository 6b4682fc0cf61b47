import { servingContainers, servingReason } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'readiness-probe-missing',
    description: 'A container that serves traffic has no readinessProbe, so it gets traffic as soon as it starts',
    severity: 'error',
    fixable: false,
    condition: '4-ready-and-capacity',
  },
  check(context) {
    for (const w of context.set.workloads) {
      for (const c of servingContainers(context.set, w)) {
        if (c.readinessProbe) continue;
        context.report({
          object: w.doc,
          path: c.path,
          message: `${context.describe(w, c)} serves traffic (${servingReason(context.set, w, c)}) and has no readinessProbe: the pod counts as ready the moment it starts, so requests reach it before the app listens, and the rollout moves on without waiting for it`,
        });
      }
    }
  },
};
