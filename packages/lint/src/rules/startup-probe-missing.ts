import { startupBudgetSeconds } from '@zerodrop/core';
import type { Rule } from '../rule.js';

const HANDLERS = ['httpGet', 'tcpSocket', 'exec', 'grpc'] as const;
/** The startupProbe the fix adds checks this often (or as often as liveness, when that is more often). */
const STARTUP_PERIOD_SECONDS = 5;

export const rule: Rule = {
  meta: {
    id: 'startup-probe-missing',
    description:
      'A livenessProbe without a startupProbe leans on initialDelaySeconds or a short budget, so a slow start loops',
    severity: 'warning',
    fixable: true,
    condition: '7-shallow-liveness',
    options: {
      minimumStartupSeconds: {
        description:
          'Liveness budgets below this many seconds are reported, and the added startupProbe allows at least this',
        default: 30,
      },
    },
  },
  check(context) {
    const minimum = Number(context.options.minimumStartupSeconds);
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        const live = c.livenessProbe;
        if (!live || c.startupProbe) continue;
        const { initialDelaySeconds: delay, periodSeconds: period, failureThreshold } = live.resolved;
        const budget = startupBudgetSeconds(live.resolved);
        if (delay === 0 && budget >= minimum) continue;
        const arithmetic = `${delay}s + ${period}s × ${failureThreshold} = ${budget}s`;
        const problem =
          delay > 0
            ? `livenessProbe waits initialDelaySeconds ${delay} as a guess at the start time and kills a container that is not live after ${arithmetic}`
            : `livenessProbe kills a container that is not live after ${arithmetic}, below ${minimum}s`;
        const handler = HANDLERS.find((h) => live.raw[h] !== undefined);
        const startPeriod = Math.min(STARTUP_PERIOD_SECONDS, period);
        const startFailures = Math.ceil(Math.max(budget, minimum) / startPeriod);
        const fix = handler && {
          description: `add a startupProbe (${handler}, ${startPeriod}s × ${startFailures})`,
          edits: [
            {
              op: 'set' as const,
              object: w.doc,
              path: [...c.path, 'startupProbe'],
              value: { [handler]: live.raw[handler], periodSeconds: startPeriod, failureThreshold: startFailures },
            },
          ],
        };
        context.report({
          object: w.doc,
          path: [...c.path, 'livenessProbe'],
          message: `${context.describe(w, c)} has no startupProbe: ${problem}. A start slower than that (a cold node, a slow migration, a CPU limit) is killed and restarted in a loop, and every restart starts over. Add a startupProbe on the same endpoint that allows ${startPeriod}s × ${startFailures} = ${startPeriod * startFailures}s; liveness starts only after it succeeds`,
          ...(fix ? { fix } : {}),
        });
      }
    }
  },
};
