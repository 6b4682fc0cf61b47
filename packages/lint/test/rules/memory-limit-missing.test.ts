import { rule } from '../../src/rules/memory-limit-missing.js';
import { deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'a memory limit', yaml: deployment({ container: 'resources: {limits: {memory: 256Mi}}' }) },
    {
      name: 'requests and limits',
      yaml: deployment({ container: 'resources:\n  requests: {memory: 192Mi, cpu: 100m}\n  limits: {memory: 384Mi}' }),
    },
  ],
  invalid: [
    {
      name: 'no resources at all: points at the container',
      yaml: deployment(),
      errors: [
        {
          message:
            /Deployment default\/web container "app" has no memory limit: .*outside any drain — no preStop, no grace period.*Set resources.requests.memory and resources.limits.memory/,
          line: 16,
        },
      ],
    },
    {
      name: 'a request but no limit: points at resources',
      yaml: deployment({ container: 'resources:\n  requests: {memory: 256Mi}\n  limits: {cpu: "1"}' }),
      errors: [{ message: /requests.memory is 256Mi/, line: 23 }],
    },
    {
      name: 'every container is checked, sidecars too',
      yaml: deployment({
        container: 'resources: {limits: {memory: 256Mi}}',
        pod: 'terminationGracePeriodSeconds: 30',
      }).concat('        - name: proxy\n          image: envoyproxy/envoy:v1.31.2\n'),
      errors: [{ message: /container "proxy" has no memory limit/ }],
    },
  ],
});
