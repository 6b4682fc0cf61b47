import { rule } from '../../src/rules/replicas-single.js';
import { deployment, docs, hpa, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'three replicas', yaml: deployment() },
    { name: 'a single worker that takes no traffic', yaml: deployment({ replicas: 1, ports: false }) },
    { name: 'an HPA that keeps two', yaml: docs(deployment({ replicas: 1 }), hpa(2)) },
    { name: 'scaled to zero', yaml: deployment({ replicas: 0 }) },
    {
      name: 'a DaemonSet runs one pod per node by design',
      yaml: deployment({ kind: 'DaemonSet' }).replace('  replicas: 3\n', ''),
    },
  ],
  invalid: [
    {
      name: 'one replica with the default strategy (surge 1, nothing unavailable during rollouts)',
      yaml: deployment({ replicas: 1 }),
      errors: [
        {
          message:
            /^Deployment default\/web runs 1 replica: a node drain or eviction deletes the only pod, and nothing serves until its replacement is scheduled, started and ready\. A PodDisruptionBudget cannot help.*\(replicas: 2\)/,
          line: 6,
        },
      ],
      output: null,
    },
    {
      name: 'maxSurge 0: the rollout gap is rollout-max-unavailable’s to report, not repeated here',
      yaml: deployment({ replicas: 1, spec: 'strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}' }),
      errors: [
        {
          message:
            /^Deployment default\/web runs 1 replica: a node drain or eviction deletes the only pod, and nothing serves until its replacement is scheduled, started and ready\. A/,
        },
      ],
    },
    {
      name: 'an HPA with minReplicas 1: reported on the HPA',
      yaml: docs(deployment({ replicas: 3 }), hpa(1)),
      errors: [
        {
          message:
            /Deployment default\/web scales down to 1 replica \(HorizontalPodAutoscaler web minReplicas 1\).*minReplicas: 2/,
          line: 28,
        },
      ],
    },
    {
      name: 'a StatefulSet behind a Service',
      yaml: docs(deployment({ kind: 'StatefulSet', replicas: 1, ports: false }), service(undefined, 8080)),
      errors: [{ message: /StatefulSet default\/web runs 1 replica.*StatefulSets never surge/ }],
    },
  ],
});
