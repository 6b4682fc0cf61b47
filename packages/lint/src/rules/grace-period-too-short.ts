import { servingContainers } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'grace-period-too-short',
    description: 'terminationGracePeriodSeconds does not cover preStop + app drain + margin, so SIGKILL cuts requests',
    severity: 'error',
    fixable: true,
    condition: '3-grace-covers-drain',
  },
  check(context) {
    for (const w of context.set.workloads) {
      let worst: { need: number; detail: string; container: string } | undefined;
      for (const c of servingContainers(context.set, w)) {
        const timeline = context.timelineOf(w, c);
        const condition = timeline.conditions.find((x) => x.id === 'grace-covers-drain');
        if (!condition || condition.ok) continue;
        if (!worst || timeline.required.gracePeriodSeconds > worst.need)
          worst = { need: timeline.required.gracePeriodSeconds, detail: condition.detail, container: c.name };
      }
      if (!worst) continue;
      const path = [...w.podSpecPath, 'terminationGracePeriodSeconds'];
      const written = w.gracePeriodWritten ? '' : ' (the default, as none is written)';
      context.report({
        object: w.doc,
        path,
        message: `${context.describe(w)}: terminationGracePeriodSeconds ${w.terminationGracePeriodSeconds}${written} is too short for container "${worst.container}": ${worst.detail}`,
        fix: {
          description: `set terminationGracePeriodSeconds to ${worst.need}`,
          edits: [{ op: 'set', object: w.doc, path, value: worst.need }],
        },
      });
    }
  },
};
