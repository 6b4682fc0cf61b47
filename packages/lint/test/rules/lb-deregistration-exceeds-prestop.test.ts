import { rule } from '../../src/rules/lb-deregistration-exceeds-prestop.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const PRESTOP_3 = 'lifecycle: {preStop: {sleep: {seconds: 3}}}';
const BC_ANNOTATION = 'annotations:\n  cloud.google.com/backend-config: \'{"default": "web-bc"}\'';

/** An ALB Ingress for Service web; ip targets unless `targetType` says otherwise (instance is the controller's default). */
function albIngress(attributes?: string, targetType: 'ip' | 'instance' | 'unwritten' = 'ip'): string {
  const lines = [
    ...(targetType === 'unwritten' ? [] : [`alb.ingress.kubernetes.io/target-type: ${targetType}`]),
    ...(attributes ? [`alb.ingress.kubernetes.io/target-group-attributes: ${attributes}`] : []),
  ];
  const annotation = lines.length ? `\n  annotations:\n${lines.map((l) => `    ${l}`).join('\n')}` : '';
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web${annotation}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
`;
}

const NLB = (targetType: string) =>
  `annotations:\n  service.beta.kubernetes.io/aws-load-balancer-type: external\n${targetType}  service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: deregistration_delay.timeout_seconds=120,preserve_client_ip.enabled=true`;

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
      name: 'ALB with instance targets (the default): the targets are nodes, a pod leaves through kube-proxy',
      yaml: docs(
        deployment({ container: PRESTOP_3 }),
        service(),
        albIngress('deregistration_delay.timeout_seconds=60', 'unwritten'),
      ),
    },
    {
      name: 'NLB with instance targets (the default for external): the delay is about nodes',
      yaml: docs(deployment({ container: PRESTOP_3 }), service(NLB(''))),
    },
    {
      name: 'NLB with instance targets and no delay written: no 300 s default either',
      yaml: docs(
        deployment({ container: PRESTOP_3 }),
        service('annotations:\n  service.beta.kubernetes.io/aws-load-balancer-type: nlb'),
      ),
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
            /Ingress default\/web sets deregistration_delay.timeout_seconds=60: the target stays registered \(draining\) until 60s after the pod is deleted, and with 1s margin the pod must live until 61s, but container "app" of Deployment default\/web is SIGKILLed at 30s \(preStop 3s, terminationGracePeriodSeconds 30\).*at most 29 .*raise terminationGracePeriodSeconds to 61$/,
          line: 40,
        },
      ],
    },
    {
      name: 'NLB Service annotation with ip targets',
      yaml: docs(
        deployment({ container: PRESTOP_3 }),
        service(NLB('  service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip\n')),
      ),
      errors: [
        {
          message:
            /Service default\/web sets deregistration_delay.timeout_seconds=120: .*must live until 121s.*SIGKILLed at 30s/,
          line: 30,
        },
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
            /BackendConfig default\/web-bc marks a pod down only after 35s \(checkIntervalSec 10 × unhealthyThreshold 3 \+ timeoutSec 5\), but the timeline of Deployment default\/web container "app" assumes kube-proxy gone at 2s: the app stops accepting at 3s.*gke-neg stops sending at 35s.*preStop must be >= 36s \(35s \+ 1s margin\)\. Make the preStop last at least 36s \(grace period 42s\), or shorten the health check/,
          line: 39,
        },
      ],
    },
  ],
});
