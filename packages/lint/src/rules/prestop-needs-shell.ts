import {
  baseImageOf,
  type Container,
  dockerfileFor,
  shellFreeImageKind,
  shellScriptOf,
  slowestConsumer,
  type Workload,
} from '@zerodrop/core';
import { type Rule, type RuleContext, versionAtLeast } from '../rule.js';
import { NATIVE_SLEEP_VERSION } from './prestop-missing.js';

/** Programs an exec preStop commonly runs that images without a shell do not have either. */
const UTILITIES = new Set(['sleep', 'curl', 'wget', 'kill', 'pkill', 'killall', 'timeout', 'nc']);

const ONLY_SLEEP = /^\s*(?:exec\s+)?(?:\/usr)?(?:\/bin\/)?sleep\s+(\d+(?:\.\d+)?)s?\s*$/;

/** The seconds of a hook that does nothing but sleep (`sleep 5`, `sh -c "sleep 5"`), which a native sleep replaces. */
function onlySleepSeconds(command: string[]): number | undefined {
  const m = ONLY_SLEEP.exec(shellScriptOf(command) ?? command.join(' '));
  return m ? Math.ceil(Number(m[1])) : undefined;
}

/** Why the container's image has no shell: its name, or the base image of the Dockerfile that builds it. */
function shellFreeImage(context: RuleContext, w: Workload, c: Container): string | undefined {
  const kind = shellFreeImageKind(c.image);
  if (kind) return `${c.image} is ${kind}`;
  const dockerfile = dockerfileFor(w.file, c.index, c.image, context.dockerfiles, context.settings.dockerfiles);
  const base = dockerfile && baseImageOf(dockerfile);
  const baseKind = base && shellFreeImageKind(base.image);
  return base && baseKind
    ? `its image is built FROM ${base.image} (${dockerfile.file} line ${base.from.line}), ${baseKind}`
    : undefined;
}

export const rule: Rule = {
  meta: {
    id: 'prestop-needs-shell',
    description:
      'An exec preStop needs a shell or sleep binary the image does not have, so the hook fails and SIGTERM comes at 0s',
    severity: 'error',
    fixable: true,
    condition: '1-prestop-covers-propagation',
  },
  check(context) {
    const version = context.settings.kubernetesVersion;
    const nativeSleep = versionAtLeast(version, NATIVE_SLEEP_VERSION);
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        const hook = c.preStop;
        if (hook?.kind !== 'exec') continue;
        const program = hook.command[0] ?? '';
        const missing = hook.needsShell ? 'shell' : program.slice(program.lastIndexOf('/') + 1);
        if (!hook.needsShell && !UTILITIES.has(missing)) continue;
        const image = shellFreeImage(context, w, c);
        if (!image) continue;
        const timeline = context.timelineOf(w, c);
        const consumer = slowestConsumer(context.profileOf(w));
        const intended = hook.sleepSeconds === undefined ? '' : ` instead of ${hook.sleepSeconds}s`;
        const seconds = onlySleepSeconds(hook.command);
        const advice = nativeSleep
          ? `Use the native sleep action (preStop: {sleep: {seconds: ${seconds ?? Math.ceil(timeline.required.preStopSeconds)}}}) or an httpGet to the app's prestop path`
          : `The native sleep action needs Kubernetes ${NATIVE_SLEEP_VERSION} (target is ${version}): use an httpGet preStop to the app's prestop path, which needs nothing in the image`;
        const fix =
          nativeSleep && seconds !== undefined
            ? {
                description: `replace the exec preStop with a native sleep of ${seconds}s`,
                edits: [
                  {
                    op: 'replace' as const,
                    object: w.doc,
                    path: [...c.path, 'lifecycle', 'preStop'],
                    value: { sleep: { seconds } },
                  },
                ],
              }
            : undefined;
        context.report({
          object: w.doc,
          path: [...c.path, 'lifecycle', 'preStop', 'exec'],
          message: `${context.describe(w, c)}: the preStop hook runs \`${hook.command.join(' ')}\`, but ${image} with no ${missing} in it. The hook fails (FailedPreStopHook) and the kubelet sends SIGTERM at 0s${intended}, while ${consumer.id} keeps sending new requests for up to ${timeline.consumersGoneAtSeconds}s. ${advice}`,
          ...(fix ? { fix } : {}),
        });
      }
    }
  },
};
