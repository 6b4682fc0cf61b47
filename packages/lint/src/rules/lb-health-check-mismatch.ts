import { healthChecksOf, resolvePort, servingContainers } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'lb-health-check-mismatch',
    description: "The external load balancer's health check probes a different path or port than the readinessProbe",
    severity: 'warning',
    fixable: true,
    condition: '4-ready-and-capacity',
  },
  check(context) {
    for (const w of context.set.workloads) {
      const container = servingContainers(context.set, w).find(
        (c) => c.readinessProbe?.resolved.handler?.type === 'httpGet',
      );
      const handler = container?.readinessProbe?.resolved.handler;
      if (!container || handler?.type !== 'httpGet') continue;
      const readyPort = resolvePort(container, handler.port);
      for (const hc of healthChecksOf(context.set, w)) {
        const where = `${hc.via} ${hc.doc.name}`;
        const consequence =
          'the load balancer keeps sending to pods that are not ready (starting, or draining after SIGTERM) and may drop ready ones';
        if (hc.path !== undefined && hc.path !== handler.path) {
          context.report({
            object: hc.doc,
            ...(hc.pathField ? { path: hc.pathField } : {}),
            message: `${where} health-checks path ${hc.path}, but ${context.describe(w, container)} is ready by ${handler.path}: ${consequence}. Health-check ${handler.path}`,
            ...(hc.pathField
              ? {
                  fix: {
                    description: `health-check ${handler.path}`,
                    edits: [{ op: 'set' as const, object: hc.doc, path: hc.pathField, value: handler.path }],
                  },
                }
              : {}),
          });
        }
        const hcPort = hc.port === undefined ? undefined : resolvePort(container, hc.port);
        if (hc.port !== undefined && readyPort !== undefined && hcPort !== readyPort) {
          context.report({
            object: hc.doc,
            ...(hc.portField ? { path: hc.portField } : {}),
            message: `${where} health-checks port ${hc.port}, but the readinessProbe of ${context.describe(w, container)} uses port ${readyPort}: ${consequence}. Health-check port ${readyPort}`,
          });
        }
      }
    }
  },
};
