import { dependencyCheckOf, probeReactionSeconds, sameProbeTarget } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'liveness-checks-dependencies',
    description:
      'The livenessProbe looks like a readiness or dependency check, so a dependency outage restarts every pod',
    severity: 'warning',
    fixable: false,
    condition: '7-shallow-liveness',
    options: {
      ignorePaths: {
        description: 'Comma-separated liveness paths known to be shallow despite their name (e.g. "/health/db-free")',
        default: '',
      },
    },
  },
  check(context) {
    const ignored = new Set(
      String(context.options.ignorePaths)
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    );
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        const live = c.livenessProbe?.resolved;
        if (!live) continue;
        // Liveness probing readiness's own endpoint is liveness-same-as-readiness's finding.
        if (c.readinessProbe && sameProbeTarget(live, c.readinessProbe.resolved)) continue;
        if (live.handler?.type === 'httpGet' && ignored.has(live.handler.path)) continue;
        const why = dependencyCheckOf(live.handler);
        if (!why) continue;
        const reaction = probeReactionSeconds(live);
        context.report({
          object: w.doc,
          path: [...c.path, 'livenessProbe'],
          message: `${context.describe(w, c)}: livenessProbe ${why}. When a dependency slows down or fails (or the app takes itself out of rotation), every replica fails liveness together and the kubelet restarts them all after ${reaction}s (${live.periodSeconds}s × ${live.failureThreshold}): a blip becomes an outage of every pod at once. Keep liveness shallow (the process answers) and check dependencies in readinessProbe`,
        });
      }
    }
  },
};
