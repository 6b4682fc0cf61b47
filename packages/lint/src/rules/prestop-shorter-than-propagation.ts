import { isShell, servingContainers } from '@zerodrop/core';
import { graceEditFor } from '../edits.js';
import type { Edit, Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'prestop-shorter-than-propagation',
    description: 'The preStop hook ends before the slowest traffic consumer has stopped sending new requests',
    severity: 'error',
    fixable: true,
    condition: '1-prestop-covers-propagation',
  },
  check(context) {
    for (const w of context.set.workloads) {
      for (const c of servingContainers(context.set, w)) {
        const hook = c.preStop;
        // An exec hook without a sleep zerodrop can time (a drain script, ingress-nginx's /wait-shutdown) may well
        // hold the stop signal long enough: its length cannot be told from the manifest.
        if (!hook || (hook.kind === 'exec' && hook.sleepSeconds === undefined)) continue;
        const timeline = context.timelineOf(w, c);
        const condition = timeline.conditions.find((x) => x.id === 'prestop-covers-propagation');
        if (!condition || condition.ok) continue;
        const need = Math.ceil(timeline.required.preStopSeconds);
        const base = [...c.path, 'lifecycle', 'preStop'];
        let edit: Edit | undefined;
        let path = base;
        if (hook.kind === 'sleep') {
          path = [...base, 'sleep', 'seconds'];
          edit = { op: 'set', object: w.doc, path, value: need };
        } else if (hook.kind === 'exec' && !isShell(hook.command[0]) && /(^|\/)sleep$/.test(hook.command[0] ?? '')) {
          path = [...base, 'exec', 'command', 1];
          edit = { op: 'set', object: w.doc, path, value: String(need) };
        }
        const grace = graceEditFor(w, timeline);
        const withGrace = (e: Edit): Edit[] => (grace ? [e, grace] : [e]);
        const advice =
          hook.kind === 'httpGet'
            ? `the app holds the preStop httpGet for its drain delay (app.drainDelaySeconds = ${context.settings.app.drainDelaySeconds}s in .zerodrop.yaml): raise the app's drain delay to ${need}s and set app.drainDelaySeconds to match`
            : `make the preStop last at least ${need}s`;
        context.report({
          object: w.doc,
          path,
          message: `${context.describe(w, c)}: ${condition.detail}; ${advice}`,
          ...(edit ? { fix: { description: `set preStop to ${need}s`, edits: withGrace(edit) } } : {}),
        });
      }
    }
  },
};
