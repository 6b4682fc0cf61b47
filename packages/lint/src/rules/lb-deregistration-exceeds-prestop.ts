import {
  AWS_DEFAULT_DEREGISTRATION_DELAY_SECONDS,
  computeTimeline,
  getProfile,
  healthCheckDetectionSeconds,
  healthCheckOverride,
  healthChecksOf,
  type ManifestDocument,
  servingContainers,
  terminationOf,
  type YamlPath,
} from '@zerodrop/core';
import type { Rule } from '../rule.js';

const named = (doc: ManifestDocument) => `${doc.kind} ${doc.namespace ?? 'default'}/${doc.name}`;

export const rule: Rule = {
  meta: {
    id: 'lb-deregistration-exceeds-prestop',
    description:
      "The external load balancer's written detection time or deregistration delay outlasts the pod's preStop or life",
    severity: 'warning',
    fixable: false,
    condition: '1-prestop-covers-propagation',
  },
  check(context) {
    const { settings } = context;
    for (const w of context.set.workloads) {
      // The serving container that stops accepting first decides when traffic must be gone.
      const timelines = servingContainers(context.set, w).map((c) => ({ c, t: context.timelineOf(w, c) }));
      const first = timelines.sort((a, b) => a.t.listenerClosedAtSeconds - b.t.listenerClosedAtSeconds)[0];
      if (!first) continue;
      const { c, t: timeline } = first;
      const checks = healthChecksOf(context.set, w);

      // GKE: a health check written in the manifests that the workload's own timeline does not count (a forced
      // profile, or a second check slower than the first). When it does count it, prestop-shorter-than-propagation
      // reports the gap on the workload; a measured propagationSeconds replaces the model altogether.
      if (settings.propagationSeconds === undefined) {
        for (const hc of checks) {
          if (hc.via !== 'HealthCheckPolicy' && hc.via !== 'BackendConfig') continue;
          const profile = getProfile('gke-neg', healthCheckOverride(hc));
          const check = profile.healthCheck!;
          const detection = healthCheckDetectionSeconds(check);
          if (detection <= timeline.consumersGoneAtSeconds) continue;
          const own = computeTimeline(terminationOf(w, c, settings.app), profile, {
            marginSeconds: settings.marginSeconds,
          });
          const condition = own.conditions.find((x) => x.id === 'prestop-covers-propagation');
          if (!condition || condition.ok) continue;
          context.report({
            object: hc.doc,
            path: ['metadata', 'name'],
            message: `${named(hc.doc)} marks a pod down only after ${detection}s (checkIntervalSec ${check.intervalSeconds} × unhealthyThreshold ${check.unhealthyThreshold} + timeoutSec ${check.timeoutSeconds}), but the timeline of ${context.describe(w, c)} assumes ${timeline.profile} gone at ${timeline.consumersGoneAtSeconds}s: ${condition.detail}. Make the preStop last at least ${Math.ceil(own.required.preStopSeconds)}s (grace period ${own.required.gracePeriodSeconds}s), or shorten the health check`,
          });
        }
      }

      // AWS ip targets: the target group keeps the pod draining for its deregistration delay; the pod must outlive
      // it. Instance targets are nodes: their deregistration delay is about a node leaving, not a pod.
      const profile = context.profileOf(w);
      const ipTargets = profile.id === 'aws-alb' || profile.id === 'aws-nlb';
      if (!ipTargets) continue;
      const delays: { seconds: number; object: ManifestDocument; path: YamlPath; where: string }[] = checks
        .filter((hc) => hc.deregistrationDelaySeconds !== undefined)
        .map((hc) => ({
          seconds: hc.deregistrationDelaySeconds!,
          object: hc.doc,
          path: hc.deregistrationDelayField ?? ['metadata', 'name'],
          where: `${named(hc.doc)} sets deregistration_delay.timeout_seconds=${hc.deregistrationDelaySeconds}`,
        }));
      if (delays.length === 0) {
        delays.push({
          seconds: AWS_DEFAULT_DEREGISTRATION_DELAY_SECONDS,
          object: w.doc,
          path: ['metadata', 'name'],
          where: `${context.describe(w)} is behind an ${profile.title} whose target group keeps the default deregistration delay of ${AWS_DEFAULT_DEREGISTRATION_DELAY_SECONDS}s (no deregistration_delay.timeout_seconds in the Ingress or Service annotations)`,
        });
      }
      for (const delay of delays) {
        if (timeline.sigkillAtSeconds >= delay.seconds + settings.marginSeconds) continue;
        context.report({
          object: delay.object,
          path: delay.path,
          message: `${delay.where}: the target stays registered (draining) until ${delay.seconds}s after the pod is deleted, and with ${settings.marginSeconds}s margin the pod must live until ${delay.seconds + settings.marginSeconds}s, but container "${c.name}" of ${context.describe(w)} is SIGKILLed at ${timeline.sigkillAtSeconds}s (preStop ${timeline.stopSignalAtSeconds}s, terminationGracePeriodSeconds ${w.terminationGracePeriodSeconds}): requests still in flight on its connections then end in 5xx. Lower deregistration_delay.timeout_seconds to at most ${Math.floor(timeline.sigkillAtSeconds - settings.marginSeconds)} (it only needs to cover the longest request: app.drainSeconds is ${settings.app.drainSeconds}s), or raise terminationGracePeriodSeconds to ${Math.ceil(delay.seconds + settings.marginSeconds)}`,
        });
      }
    }
  },
};
