import { rule } from '../../src/rules/lb-deregistration-exceeds-prestop.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const PRESTOP_3 = 'lifecycle: {preStop: {sleep: {seconds: 3}}}';
const BC_ANNOTATION = 'annotations:\n  cloud.google.com/backend-config: \'{"default": "web-bc"}\'';

function albIngress(attributes?: string): string {
  const annotation = attributes
    ? `\n  annotations:\n    alb.ingress.kubernetes.io/target-group-attributes: ${attributes}`
    : '';
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web${annotation}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
`;
}

function backendConfig(interval: number, threshold: number): string {
  return `apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata:
  name: web-bc
spec:
  healthCheck: {requestPath: /ready, checkIntervalSec: ${interval}, unhealthyThreshold: ${threshold}, timeoutSec: 5}
`;
}

const GRACE_90 = 'terminationGracePeriodSeconds: 90';

ruleTester(rule, {
  valid: [
    { name: 'kube-proxy only: no external load balancer', yaml: deployment({ container: PRESTOP_3 }) },
    {
      name: 'ALB with a deregistration delay the pod outlives',
      yaml: docs(
        deployment({ container: PRESTOP_3 }),
        service(),
        albIngress('deregistration_delay.timeout_seconds=20'),
      ),
    },
    {
      name: 'ALB with the default 300 s delay and a grace period that covers it',
      yaml: docs(deployment({ pod: 'terminationGracePeriodSeconds: 301' }), service(), albIngress()),
    },
    {
      name: 'GKE check counted by the workload timeline: prestop-shorter-than-propagation reports it, not this rule',
      yaml: docs(deployment({ container: PRESTOP_3 }), service(BC_ANNOTATION), backendConfig(10, 3)),
    },
    {
      name: 'forced kube-proxy profile with a GKE check the preStop covers',
      yaml: docs(
        deployment({
          pod: 'terminationGracePeriodSeconds: 40',
          container: 'lifecycle: {preStop: {sleep: {seconds: 20}}}',
        }),
        service(BC_ANNOTATION),
        backendConfig(5, 2),
      ),
      settings: { profile: 'kube-proxy' },
    },
    {
      name: 'a measured propagationSeconds replaces the model',
      yaml: docs(deployment({ container: PRESTOP_3 }), service(BC_ANNOTATION), backendConfig(10, 3)),
      settings: { profile: 'kube-proxy', propagationSeconds: 2 },
    },
  ],
  invalid: [
    {
      name: 'ALB Ingress: a 60 s deregistration delay outlasts a 30 s grace period',
      yaml: docs(
        deployment({ container: PRESTOP_3 }),
        service(),
        albIngress('deregistration_delay.timeout_seconds=60'),
      ),
      errors: [
        {
          message:
            /Ingress default\/web sets deregistration_delay.timeout_seconds=60, but container "app" of Deployment default\/web is SIGKILLed at 30s \(preStop 3s, terminationGracePeriodSeconds 30\): the target stays draining for 30s after the pod is gone.*at most 29 .*raise terminationGracePeriodSeconds to 61$/,
          line: 39,
        },
      ],
    },
    {
      name: 'NLB Service annotation',
      yaml: docs(
        deployment({ container: PRESTOP_3 }),
        service(
          'annotations:\n  service.beta.kubernetes.io/aws-load-balancer-type: external\n  service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: deregistration_delay.timeout_seconds=120,preserve_client_ip.enabled=true',
        ),
      ),
      errors: [
        { message: /Service default\/web sets deregistration_delay.timeout_seconds=120, .*draining for 90s/, line: 29 },
      ],
    },
    {
      name: 'ALB with no delay written: the 300 s default, reported on the workload',
      yaml: docs(deployment({ pod: GRACE_90, container: PRESTOP_3 }), service(), albIngress()),
      errors: [
        {
          message:
            /Deployment default\/web is behind an AWS Load Balancer Controller, ALB with ip targets whose target group keeps the default deregistration delay of 300s .*SIGKILLed at 90s/,
          line: 4,
        },
      ],
    },
    {
      name: 'forced kube-proxy profile hides a 35 s GKE health check from the timeline',
      yaml: docs(deployment({ container: PRESTOP_3 }), service(BC_ANNOTATION), backendConfig(10, 3)),
      settings: { profile: 'kube-proxy' },
      errors: [
        {
          message:
            /BackendConfig default\/web-bc marks a pod down only after 35s \(checkIntervalSec 10 × unhealthyThreshold 3 \+ timeoutSec 5\), but the timeline of Deployment default\/web container "app" assumes kube-proxy gone at 2s: the app stops accepting at 3s.*gke-neg stops sending at 35s.*preStop must be >= 36s\. Make the preStop last at least 36s \(grace period 42s\), or shorten the health check/,
          line: 39,
        },
      ],
    },
  ],
});
