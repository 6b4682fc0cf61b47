import { rule } from '../../src/rules/liveness-more-aggressive-than-readiness.js';
import { deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'liveness slower than readiness (10s × 6 = 60s > 5s × 3 = 15s)',
      yaml: deployment({
        container: `
          readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}
          livenessProbe: {httpGet: {path: /live, port: http}, failureThreshold: 6}`,
      }),
    },
    {
      name: 'only liveness',
      yaml: deployment({ container: 'livenessProbe: {httpGet: {path: /live, port: http}, periodSeconds: 1}' }),
    },
    {
      name: 'only readiness',
      yaml: deployment({ container: 'readinessProbe: {httpGet: {path: /ready, port: http}}' }),
    },
  ],
  invalid: [
    {
      name: 'both left at the defaults: 10s × 3 = 30s each',
      yaml: deployment({
        container: `
          readinessProbe:
            httpGet: {path: /ready, port: http}
          livenessProbe:
            # shallow
            httpGet: {path: /live, port: http}`,
      }),
      errors: [
        {
          message:
            /container "app": livenessProbe restarts the container after 30s of failures \(10s × 3\), as fast as readinessProbe takes it out of rotation \(30s: 10s × 3\)\..* failureThreshold to 6 \(60s, twice/,
          line: 23,
        },
      ],
      output: deployment({
        container: `
          readinessProbe:
            httpGet: {path: /ready, port: http}
          livenessProbe:
            # shallow
            httpGet: {path: /live, port: http}
            failureThreshold: 6`,
      }),
    },
    {
      name: 'liveness faster: 5s × 2 against 10s × 3; the written threshold is replaced',
      yaml: deployment({
        container: `
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe: {httpGet: {path: /live, port: http}, periodSeconds: 5, failureThreshold: 2}`,
      }),
      errors: [{ message: /after 10s of failures \(5s × 2\), faster than .* \(30s: 10s × 3\).* to 12 \(60s/ }],
      output: deployment({
        container: `
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe: {httpGet: {path: /live, port: http}, periodSeconds: 5, failureThreshold: 12}`,
      }),
    },
  ],
});
