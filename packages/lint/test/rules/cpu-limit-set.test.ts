import { rule } from '../../src/rules/cpu-limit-set.js';
import { deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'no resources', yaml: deployment() },
    {
      name: 'Guaranteed QoS with whole CPUs: the static CPU manager pins cores, the limit is the point',
      yaml: deployment({ container: 'resources:\n  limits: {cpu: "2", memory: 1Gi}' }),
    },
    {
      name: 'Guaranteed QoS with whole CPUs written in millicores, requests equal to limits',
      yaml: deployment({
        container: 'resources:\n  requests: {cpu: 3000m, memory: 1Gi}\n  limits: {cpu: "3", memory: 1Gi}',
      }),
    },
    {
      name: 'a CPU request and a memory limit',
      yaml: deployment({ container: 'resources:\n  requests: {cpu: 250m}\n  limits: {memory: 256Mi}' }),
    },
  ],
  invalid: [
    {
      name: 'whole CPUs, but the memory request is below its limit: Burstable, no pinned cores',
      yaml: deployment({ container: 'resources:\n  requests: {memory: 512Mi}\n  limits: {cpu: "2", memory: 1Gi}' }),
      errors: [{ message: /sets a CPU limit of 2:/ }],
    },
    {
      name: 'Guaranteed, but half a CPU: throttled, not pinned',
      yaml: deployment({ container: 'resources:\n  limits: {cpu: 500m, memory: 1Gi}' }),
      errors: [{ message: /sets a CPU limit of 500m:/ }],
    },
    {
      name: 'a CPU limit, default probe timeout',
      yaml: deployment({
        container: 'readinessProbe: {httpGet: {path: /ready, port: http}}\nresources:\n  limits:\n    cpu: 500m',
      }),
      errors: [
        {
          message:
            /Deployment default\/web container "app" sets a CPU limit of 500m: .*CFS quota.*probes with a 1s timeout time out under load.*Remove resources.limits.cpu/,
          line: 24,
        },
      ],
    },
    {
      name: 'the shortest probe timeout is named',
      yaml: deployment({
        container:
          'readinessProbe: {httpGet: {path: /ready, port: http}, timeoutSeconds: 3}\nlivenessProbe: {httpGet: {path: /live, port: http}, timeoutSeconds: 2}\nresources: {limits: {cpu: 1500m, memory: 256Mi}}',
      }),
      errors: [{ message: /CPU limit of 1500m: .*probes with a 2s timeout/ }],
    },
    {
      name: 'no probes',
      yaml: deployment({ container: 'resources: {limits: {cpu: 2}}' }),
      errors: [{ message: /CPU limit of 2: .*even on an idle node, so probes time out/ }],
    },
  ],
});
