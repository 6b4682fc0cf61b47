import { probeReactionSeconds } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'liveness-more-aggressive-than-readiness',
    description:
      'Liveness gives up as fast as or faster than readiness, so an overloaded pod is restarted instead of rested',
    severity: 'warning',
    fixable: true,
    condition: '7-shallow-liveness',
  },
  check(context) {
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        const live = c.livenessProbe?.resolved;
        const ready = c.readinessProbe?.resolved;
        if (!live || !ready) continue;
        const liveSeconds = probeReactionSeconds(live);
        const readySeconds = probeReactionSeconds(ready);
        if (liveSeconds > readySeconds) continue;
        // Twice the readiness time: out of rotation first, then as long again to recover before a restart.
        const failures = Math.ceil((2 * readySeconds) / live.periodSeconds);
        const path = [...c.path, 'livenessProbe', 'failureThreshold'];
        const than = liveSeconds === readySeconds ? 'as fast as' : 'faster than';
        context.report({
          object: w.doc,
          path: [...c.path, 'livenessProbe'],
          message: `${context.describe(w, c)}: livenessProbe restarts the container after ${liveSeconds}s of failures (${live.periodSeconds}s × ${live.failureThreshold}), ${than} readinessProbe takes it out of rotation (${readySeconds}s: ${ready.periodSeconds}s × ${ready.failureThreshold}). A pod too busy to answer probes is killed with its requests in flight instead of resting until it recovers, and its load moves to the others. Set livenessProbe failureThreshold to ${failures} (${live.periodSeconds * failures}s, twice the readiness time)`,
          fix: {
            description: `set livenessProbe failureThreshold to ${failures}`,
            edits: [{ op: 'set', object: w.doc, path, value: failures }],
          },
        });
      }
    }
  },
};
