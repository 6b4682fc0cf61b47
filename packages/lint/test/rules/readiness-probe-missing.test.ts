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
      name: 'a port, but Services in the namespace and none selects the pods: a metrics port, not traffic',
      yaml: docs(deployment(), service().replace('app: web', 'app: api')),
    },
    {
      name: 'a named targetPort the pod does not declare: the pod is no endpoint of it',
      yaml: docs(deployment({ ports: false }), service()),
    },
    {
      name: 'only a headless Service selects the pods',
      yaml: docs(deployment(), service().replace('spec:\n', 'spec:\n  clusterIP: None\n')),
    },
    {
      name: 'the metrics sidecar of a served app',
      yaml: docs(
        `${deployment({ container: 'readinessProbe: {tcpSocket: {port: http}}' })}        - name: exporter\n          image: ghcr.io/acme/exporter:1.0\n          ports: [{name: metrics, containerPort: 9100}]\n`,
        service(),
      ),
    },
    {
      name: 'a sidecar without ports next to a probed app container',
      yaml: `${deployment({ container: 'readinessProbe: {tcpSocket: {port: http}}' })}        - name: log-shipper\n          image: fluent-bit:3\n`,
    },
  ],
  invalid: [
    {
      name: 'Deployment with a port and no readinessProbe',
      yaml: deployment(),
      errors: [
        {
          message:
            /Deployment default\/web container "app" serves traffic \(declares port http \(no Service of namespace default is in the input\)\) and has no readinessProbe/,
          line: 16,
        },
      ],
      output: null,
    },
    {
      name: 'no ports declared, but a Service sends to port 8080',
      yaml: docs(deployment({ ports: false }), service(undefined, 8080)),
      errors: [{ message: /serves traffic \(Service web port 80 → 8080\) and has no readinessProbe/ }],
    },
    {
      name: 'a bare Pod',
      yaml: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: x:1\n      ports: [{containerPort: 80}]\n',
      errors: [{ message: /Pod default\/p container "app"/, line: 6 }],
    },
  ],
});
