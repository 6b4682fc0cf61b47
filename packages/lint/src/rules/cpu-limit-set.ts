import { exclusiveCpus } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'cpu-limit-set',
    description:
      'A CPU limit throttles the container under load, so probes answer late (readiness flaps, liveness restarts) and drains slow down',
    severity: 'info',
    fixable: false,
    condition: '7-shallow-liveness',
  },
  check(context) {
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        const limit = c.resources.limits.cpu;
        // Whole cores of a Guaranteed pod are the static CPU manager's to pin: the limit is the point, not a mistake.
        if (limit === undefined || exclusiveCpus(w, c)) continue;
        const probes = [c.readinessProbe, c.livenessProbe].filter((p) => p !== undefined);
        const timeout = Math.min(...probes.map((p) => p.resolved.timeoutSeconds));
        const probeText = probes.length > 0 ? `, so probes with a ${timeout}s timeout` : ', so probes';
        context.report({
          object: w.doc,
          path: [...c.path, 'resources', 'limits', 'cpu'],
          message: `${context.describe(w, c)} sets a CPU limit of ${limit}: the kernel's CFS quota stops the container for the rest of every 100 ms period once it has used its share, even on an idle node${probeText} time out under load — readiness flaps and takes capacity away, liveness restarts the pod mid-request — and a drain that needs CPU to finish in-flight work runs slower. Remove resources.limits.cpu and set resources.requests.cpu to the share it needs`,
        });
      }
    }
  },
};
