import {
  dockerfileFor,
  finalStage,
  type SignalProblem,
  servingContainers,
  signalProblemOf,
  startCommandOf,
} from '@zerodrop/core';
import type { Rule } from '../rule.js';

const ADVICE =
  'start the app directly (exec form: ["node", "server.js"]), `exec` it from the shell script, or put tini/dumb-init in front';

function message(subject: string, problem: SignalProblem): string {
  return `${subject}: ${problem.detail}. SIGTERM never reaches the app, so it cannot drain and is SIGKILLed at the end of the grace period; ${ADVICE}`;
}

export const rule: Rule = {
  meta: {
    id: 'signals-not-forwarded',
    description: 'The container starts the app through npm/yarn/pnpm or a shell that does not pass SIGTERM on',
    severity: 'error',
    fixable: false,
    condition: '6-signal-reaches-app',
  },
  check(context) {
    for (const dockerfile of context.dockerfiles) {
      const stage = finalStage(dockerfile);
      if (!stage) continue;
      const start = startCommandOf(stage);
      const problem = start && signalProblemOf(start);
      if (!problem) continue;
      // A shell-form ENTRYPOINT is the culprit whatever CMD says; otherwise CMD (or an exec-form ENTRYPOINT alone).
      const at = stage.entrypoint && !stage.entrypoint.exec ? stage.entrypoint : (stage.cmd ?? stage.entrypoint);
      context.report({
        dockerfile,
        line: at?.line ?? stage.from.line,
        column: at?.column ?? 1,
        message: message(`${at?.keyword ?? 'CMD'} of the final stage`, problem),
      });
    }
    for (const w of context.set.workloads) {
      // A container that serves nothing has no drain for the signal to start: it is stopped at SIGKILL, which costs
      // it the grace period and no request.
      for (const c of servingContainers(context.set, w)) {
        if (!c.command && !c.args) continue;
        const dockerfile = dockerfileFor(w.file, c.index, c.image, context.dockerfiles, context.settings.dockerfiles);
        const stage = dockerfile && finalStage(dockerfile);
        const override = { command: c.command, args: c.args };
        const start = stage
          ? startCommandOf(stage, override)
          : { argv: [...(c.command ?? []), ...(c.args ?? [])], shellForm: false };
        const problem = start && signalProblemOf(start);
        if (!problem) continue;
        context.report({
          object: w.doc,
          path: [...c.path, c.command ? 'command' : 'args'],
          message: message(context.describe(w, c), problem),
        });
      }
    }
  },
};
