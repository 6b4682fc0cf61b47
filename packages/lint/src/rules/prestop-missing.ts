import { servingContainers, servingReason, slowestConsumer } from '@zerodrop/core';
import { graceEditFor } from '../edits.js';
import { type Edit, type Rule, versionAtLeast } from '../rule.js';

/** The native `sleep` preStop action is on by default from Kubernetes 1.30 (PodLifecycleSleepAction). */
export const NATIVE_SLEEP_VERSION = '1.30';

export const rule: Rule = {
  meta: {
    id: 'prestop-missing',
    description: 'A container that serves traffic has no preStop hook, so it stops before consumers stop sending',
    severity: 'error',
    fixable: true,
    condition: '1-prestop-covers-propagation',
  },
  check(context) {
    const nativeSleep = versionAtLeast(context.settings.kubernetesVersion, NATIVE_SLEEP_VERSION);
    for (const w of context.set.workloads) {
      for (const c of servingContainers(context.set, w)) {
        const sleepUnsupported = c.preStop?.kind === 'sleep' && !nativeSleep;
        if (c.preStop && !sleepUnsupported) continue;
        const timeline = context.timelineOf(w, c);
        const seconds = Math.ceil(timeline.required.preStopSeconds);
        const consumer = slowestConsumer(context.profileOf(w));
        const why = `${consumer.id} stops sending new requests up to ${timeline.consumersGoneAtSeconds}s after the pod is deleted, but without a preStop hook SIGTERM arrives at 0s`;
        if (sleepUnsupported) {
          context.report({
            object: w.doc,
            path: [...c.path, 'lifecycle', 'preStop', 'sleep'],
            message: `${context.describe(w, c)}: the native sleep preStop needs Kubernetes ${NATIVE_SLEEP_VERSION} or later (target is ${context.settings.kubernetesVersion}); use exec [sleep, "${seconds}"] or an httpGet to the app`,
          });
          continue;
        }
        const grace = graceEditFor(w, timeline);
        const hook = nativeSleep ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } };
        const preStop: Edit = { op: 'set', object: w.doc, path: [...c.path, 'lifecycle', 'preStop'], value: hook };
        context.report({
          object: w.doc,
          path: c.path,
          message: `${context.describe(w, c)} serves traffic (${servingReason(context.set, w, c)}) and has no preStop hook: ${why}. Add a preStop of at least ${seconds}s`,
          fix: {
            description: nativeSleep ? `add preStop sleep ${seconds}s` : `add preStop exec sleep ${seconds}`,
            edits: [preStop, ...(grace ? [grace] : [])],
          },
        });
      }
    }
  },
};
