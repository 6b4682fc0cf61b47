import { rule } from '../../src/rules/prestop-shorter-than-propagation.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const ALB = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {alb.ingress.kubernetes.io/target-type: ip}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
`;

ruleTester(rule, {
  valid: [
    {
      name: 'sleep 3 behind kube-proxy',
      yaml: deployment({ container: 'lifecycle: {preStop: {sleep: {seconds: 3}}}' }),
    },
    { name: 'no preStop at all is prestop-missing, not this rule', yaml: deployment() },
    {
      name: 'measured propagation of 4 s: sleep 5 is enough',
      yaml: deployment({ container: 'lifecycle: {preStop: {sleep: {seconds: 5}}}' }),
      settings: { profile: 'gke-neg', propagationSeconds: 4 },
    },
    {
      name: 'an exec hook with no sleep to time (a drain script): its length cannot be told',
      yaml: deployment({ container: 'lifecycle: {preStop: {exec: {command: [/wait-shutdown]}}}' }),
      settings: { profile: 'aws-nlb' },
    },
    {
      name: 'exec sleep 5 behind an ALB with instance targets: kube-proxy decides',
      yaml: docs(
        deployment({ container: 'lifecycle: {preStop: {exec: {command: ["sleep", "5"]}}}' }),
        service(),
        ALB.replace('target-type: ip', 'target-type: instance'),
      ),
    },
    {
      name: 'a worker with a short preStop serves nothing',
      yaml: docs(
        deployment({ ports: false, container: 'lifecycle: {preStop: {sleep: {seconds: 1}}}' }),
        service().replace('app: web', 'app: api'),
      ),
    },
    {
      name: 'httpGet hook with an app drain delay long enough',
      yaml: deployment({ container: 'lifecycle: {preStop: {httpGet: {path: /prestop, port: http}}}' }),
      settings: { profile: 'ingress-nginx', app: { drainSeconds: 5, drainDelaySeconds: 6 } },
    },
  ],
  invalid: [
    {
      name: 'sleep 1 behind kube-proxy',
      yaml: deployment({ container: 'lifecycle:\n  preStop:\n    sleep:\n      seconds: 1 # short' }),
      errors: [{ message: /stops accepting at 1s .*preStop must be >= 3s/, line: 24 }],
      output: deployment({ container: 'lifecycle:\n  preStop:\n    sleep:\n      seconds: 3 # short' }),
    },
    {
      name: 'exec sleep 5 behind an ALB (inferred from the Ingress)',
      yaml: docs(deployment({ container: 'lifecycle: {preStop: {exec: {command: ["sleep", "5"]}}}' }), service(), ALB),
      errors: [{ message: /aws-alb stops sending at 70s/ }],
      // The preStop is cut at the grace period, so the fix raises it too (71 + drain 5 + margin 1).
      output: docs(
        `${deployment({ container: 'lifecycle: {preStop: {exec: {command: ["sleep", "71"]}}}' })}      terminationGracePeriodSeconds: 77\n`,
        service(),
        ALB,
      ),
    },
    {
      name: 'sh -c sleep: reported, not fixed',
      yaml: deployment({ container: 'lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 2 && nginx -s quit"]}}}' }),
      settings: { profile: 'ingress-nginx' },
      errors: [{ message: /preStop must be >= 5.3s \(4.3s \+ 1s margin\); make the preStop last at least 6s/ }],
      output: null,
    },
    {
      name: 'httpGet hook: the app drain delay is too short for GKE',
      yaml: deployment({ container: 'lifecycle: {preStop: {httpGet: {path: /prestop, port: http}}}' }),
      settings: { profile: 'gke-neg' },
      errors: [{ message: /raise the app's drain delay to 16s/ }],
      output: null,
    },
  ],
});
