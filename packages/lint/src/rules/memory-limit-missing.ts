import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'memory-limit-missing',
    description:
      'A container has no memory limit, so memory pressure evicts or OOM-kills pods outside any drain (no preStop, no grace)',
    severity: 'warning',
    fixable: false,
    condition: '3-grace-covers-drain',
  },
  check(context) {
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        if (c.resources.limits.memory !== undefined) continue;
        const request = c.resources.requests.memory;
        const advice =
          request === undefined
            ? 'Set resources.requests.memory and resources.limits.memory to what the app uses at peak'
            : `Set resources.limits.memory (requests.memory is ${request}; equal to it puts the pod among the last to be evicted for memory)`;
        context.report({
          object: w.doc,
          path: [...c.path, 'resources', 'limits', 'memory'],
          message: `${context.describe(w, c)} has no memory limit: its memory can grow until the node runs short, and then the kubelet evicts pods and the kernel OOM-kills containers outside any drain — no preStop, no grace period, in-flight requests cut on this and neighbouring pods. ${advice}`,
        });
      }
    }
  },
};
