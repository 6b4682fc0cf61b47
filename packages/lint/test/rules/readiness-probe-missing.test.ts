import { rule } from '../../src/rules/readiness-probe-missing.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'container with a readinessProbe',
      yaml: deployment({ container: 'readinessProbe: {httpGet: {path: /ready, port: http}}' }),
    },
    { name: 'a worker with no ports and no Service takes no traffic', yaml: deployment({ ports: false }) },
    {
      name: 'a sidecar without ports next to a probed app container',
      yaml: `${deployment({ container: 'readinessProbe: {tcpSocket: {port: http}}' })}        - name: log-shipper\n          image: fluent-bit:3\n`,
    },
  ],
  invalid: [
    {
      name: 'Deployment with a port and no readinessProbe',
      yaml: deployment(),
      errors: [{ message: /Deployment default\/web container "app" has no readinessProbe/, line: 16 }],
      output: null,
    },
    {
      name: 'no ports, but a Service selects the pods',
      yaml: docs(deployment({ ports: false }), service()),
      errors: [{ message: /has no readinessProbe/ }],
    },
    {
      name: 'a bare Pod',
      yaml: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: x:1\n      ports: [{containerPort: 80}]\n',
      errors: [{ message: /Pod default\/p container "app"/, line: 6 }],
    },
  ],
});
