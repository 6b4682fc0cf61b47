import { rule } from '../../src/rules/prestop-missing.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const BACKEND_CONFIG = `apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata:
  name: web-bc
spec:
  healthCheck: {checkIntervalSec: 5, unhealthyThreshold: 2, timeoutSec: 5}
`;

ruleTester(rule, {
  valid: [
    { name: 'native sleep', yaml: deployment({ container: 'lifecycle: {preStop: {sleep: {seconds: 5}}}' }) },
    { name: 'exec sleep', yaml: deployment({ container: 'lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}' }) },
    {
      name: 'httpGet to an app that drains itself',
      yaml: deployment({ container: 'lifecycle: {preStop: {httpGet: {path: /prestop, port: http}}}' }),
    },
    {
      name: 'a worker with a preStop and no ports',
      yaml: deployment({ ports: false, container: 'lifecycle: {preStop: {sleep: {seconds: 3}}}' }),
    },
    {
      name: 'a worker next to another app’s Service serves nothing',
      yaml: docs(deployment({ ports: false }), service().replace('app: web', 'app: api')),
    },
    {
      name: 'a controller with a metrics port no Service selects, while the namespace has Services',
      yaml: docs(deployment(), service().replace('app: web', 'app: api')),
    },
    {
      name: 'a bot with no port and no Service anywhere',
      yaml: deployment({ ports: false }),
    },
    {
      name: 'told by annotation that it serves nothing',
      yaml: deployment({ metadata: 'annotations:\n  zerodrop.dev/serves: "false"' }),
    },
    {
      name: 'ignored by annotation',
      yaml: deployment({ metadata: 'annotations:\n  zerodrop.dev/ignore: "prestop-missing, pdb-missing"' }),
    },
  ],
  invalid: [
    {
      name: 'a sidecar with the only declared port is judged on its own; the app container is not',
      yaml: `${deployment({ ports: false })}        - name: proxy\n          image: ghcr.io/acme/proxy:1.0\n          ports: [{containerPort: 8443}]\n`,
      errors: [
        {
          message:
            /Deployment default\/web container "proxy" serves traffic \(declares port 8443 \(no Service of namespace default is in the input\)\) and has no preStop hook/,
        },
      ],
    },
    {
      name: 'no port declared, but a Service sends to one',
      yaml: docs(deployment({ ports: false }), service(undefined, 8080)),
      errors: [{ message: /container "app" serves traffic \(Service web port 80 → 8080\) and has no preStop hook/ }],
    },
    {
      name: 'no preStop behind kube-proxy: sleep 3 (2 s worst case + 1 s margin)',
      yaml: deployment({ container: 'readinessProbe: {httpGet: {path: /ready, port: http}}' }),
      errors: [{ message: /kube-proxy stops sending new requests up to 2s .* at least 3s/, line: 16 }],
      output: deployment({
        container: `
          readinessProbe: {httpGet: {path: /ready, port: http}}
          lifecycle:
            preStop:
              sleep:
                seconds: 3`,
      }),
    },
    {
      name: 'behind a GKE NEG (inferred from the BackendConfig): 16 s',
      yaml: docs(
        deployment(),
        service('annotations:\n  cloud.google.com/backend-config: \'{"default": "web-bc"}\''),
        BACKEND_CONFIG,
      ),
      errors: [{ message: /gke-neg stops sending new requests up to 15s.* at least 16s/ }],
    },
    {
      name: 'a lifecycle without preStop gets one added under it',
      yaml: deployment({ container: 'lifecycle:\n  postStart: {exec: {command: [/bin/warm]}}' }),
      errors: [{ message: /has no preStop hook/ }],
      output: deployment({
        container: `
          lifecycle:
            postStart: {exec: {command: [/bin/warm]}}
            preStop:
              sleep:
                seconds: 3`,
      }),
    },
    {
      name: 'before Kubernetes 1.30 the fix uses exec sleep',
      yaml: deployment(),
      settings: { kubernetesVersion: '1.29', profile: 'istio' },
      errors: [{ message: /istio-envoy stops sending new requests up to 5s.* at least 6s/ }],
      output: deployment({
        container: `
          lifecycle:
            preStop:
              exec:
                command:
                  - sleep
                  - "6"`,
      }),
    },
    {
      name: 'native sleep with a target version before 1.30 does not count',
      yaml: deployment({ container: 'lifecycle: {preStop: {sleep: {seconds: 5}}}' }),
      settings: { kubernetesVersion: '1.28' },
      errors: [{ message: /native sleep preStop needs Kubernetes 1.30/ }],
      output: null,
    },
  ],
});
