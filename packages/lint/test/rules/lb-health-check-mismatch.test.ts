import { rule } from '../../src/rules/lb-health-check-mismatch.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const READY = 'readinessProbe: {httpGet: {path: /ready, port: http}}';
const BC_ANNOTATION = 'annotations:\n  cloud.google.com/backend-config: \'{"default": "web-bc"}\'';

function backendConfig(path: string, port = 8080): string {
  return `apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata:
  name: web-bc
spec:
  healthCheck:
    type: HTTP
    requestPath: ${path}
    port: ${port}
`;
}

function healthCheckPolicy(path: string): string {
  return `apiVersion: networking.gke.io/v1
kind: HealthCheckPolicy
metadata:
  name: web
spec:
  default:
    config:
      type: HTTP
      httpHealthCheck:
        requestPath: ${path} # keep in sync
        port: 8080
  targetRef:
    group: ""
    kind: Service
    name: web
`;
}

function albIngress(path: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    alb.ingress.kubernetes.io/healthcheck-path: ${path}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
`;
}

ruleTester(rule, {
  valid: [
    {
      name: 'BackendConfig checks the readiness path and port',
      yaml: docs(deployment({ container: READY }), service(BC_ANNOTATION), backendConfig('/ready')),
    },
    {
      name: 'HealthCheckPolicy on the readiness path',
      yaml: docs(deployment({ container: READY }), service(), healthCheckPolicy('/ready')),
    },
    {
      name: 'ALB annotation on the readiness path',
      yaml: docs(deployment({ container: READY }), service(), albIngress('/ready')),
    },
    { name: 'no load-balancer health check configured', yaml: docs(deployment({ container: READY }), service()) },
    {
      name: 'a BackendConfig the Service does not point to',
      yaml: docs(deployment({ container: READY }), service(), backendConfig('/')),
    },
  ],
  invalid: [
    {
      name: 'BackendConfig on / while readiness is /ready',
      yaml: docs(deployment({ container: READY }), service(BC_ANNOTATION), backendConfig('/')),
      errors: [{ message: /BackendConfig web-bc health-checks path \/, but .* is ready by \/ready/, line: 43 }],
      output: docs(deployment({ container: READY }), service(BC_ANNOTATION), backendConfig('/ready')),
    },
    {
      name: 'HealthCheckPolicy on /healthz: fixed, comment kept',
      yaml: docs(deployment({ container: READY }), service(), healthCheckPolicy('/healthz')),
      errors: [{ message: /HealthCheckPolicy web health-checks path \/healthz/ }],
      output: docs(deployment({ container: READY }), service(), healthCheckPolicy('/ready')),
    },
    {
      name: 'ALB Ingress annotation',
      yaml: docs(deployment({ container: READY }), service(), albIngress('/')),
      errors: [{ message: /Ingress web health-checks path \/,/ }],
      output: docs(deployment({ container: READY }), service(), albIngress('/ready')),
    },
    {
      name: 'wrong port',
      yaml: docs(deployment({ container: READY }), service(BC_ANNOTATION), backendConfig('/ready', 9090)),
      errors: [{ message: /health-checks port 9090, but the readinessProbe .* uses port 8080/ }],
      output: null,
    },
  ],
});
