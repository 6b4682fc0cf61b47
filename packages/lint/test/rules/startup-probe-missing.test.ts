import { rule } from '../../src/rules/startup-probe-missing.js';
import { deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'liveness with the default budget (0s + 10s × 3 = 30s)',
      yaml: deployment({ container: 'livenessProbe: {httpGet: {path: /live, port: http}}' }),
    },
    {
      name: 'a startupProbe covers the start; liveness may keep its delay',
      yaml: deployment({
        container: `
          startupProbe: {httpGet: {path: /live, port: http}, periodSeconds: 5, failureThreshold: 24}
          livenessProbe: {httpGet: {path: /live, port: http}, initialDelaySeconds: 10}`,
      }),
    },
    { name: 'no livenessProbe at all', yaml: deployment({ container: 'readinessProbe: {tcpSocket: {port: http}}' }) },
    {
      name: 'a lower minimum for a fast-starting binary',
      yaml: deployment({ container: 'livenessProbe: {tcpSocket: {port: http}, periodSeconds: 5}' }),
      settings: { rules: { 'startup-probe-missing': { options: { minimumStartupSeconds: 15 } } } },
    },
  ],
  invalid: [
    {
      name: 'initialDelaySeconds as a startup crutch: the startupProbe covers 20s + 10s × 3',
      yaml: deployment({
        container: `
          livenessProbe:
            httpGet: {path: /live, port: http} # shallow
            initialDelaySeconds: 20`,
      }),
      errors: [
        {
          message:
            /container "app" has no startupProbe: livenessProbe waits initialDelaySeconds 20 .* after 20s \+ 10s × 3 = 50s\..* allows 5s × 10 = 50s/,
          line: 21,
        },
      ],
      output: deployment({
        container: `
          livenessProbe:
            httpGet: {path: /live, port: http} # shallow
            initialDelaySeconds: 20
          startupProbe:
            httpGet:
              path: /live
              port: http
            periodSeconds: 5
            failureThreshold: 10`,
      }),
    },
    {
      name: 'a short budget without a delay: 2s × 3 = 6s; the startupProbe allows 30s at the liveness period',
      yaml: deployment({ container: 'livenessProbe: {exec: {command: [/bin/alive]}, periodSeconds: 2}' }),
      errors: [{ message: /kills a container that is not live after 0s \+ 2s × 3 = 6s, below 30s.* 2s × 15 = 30s/ }],
      output: deployment({
        container: `
          livenessProbe: {exec: {command: [/bin/alive]}, periodSeconds: 2}
          startupProbe:
            exec:
              command:
                - /bin/alive
            periodSeconds: 2
            failureThreshold: 15`,
      }),
    },
    {
      name: 'a liveness probe without a handler is reported without a fix',
      yaml: deployment({ container: 'livenessProbe: {initialDelaySeconds: 60}' }),
      errors: [{ message: /initialDelaySeconds 60/ }],
      output: null,
    },
  ],
});
