import { rule } from '../../src/rules/rollout-recreate.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'RollingUpdate',
      yaml: deployment({ spec: 'strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0}}' }),
    },
    { name: 'no strategy (RollingUpdate by default)', yaml: deployment() },
    {
      name: 'a worker with no ports and no Service may recreate',
      yaml: deployment({ ports: false, spec: 'strategy: {type: Recreate}' }),
    },
    { name: 'scaled to zero', yaml: deployment({ replicas: 0, spec: 'strategy: {type: Recreate}' }) },
    {
      name: 'a StatefulSet’s OnDelete only waits for someone to delete the pods',
      yaml: deployment({ kind: 'StatefulSet', spec: 'updateStrategy: {type: OnDelete}' }),
    },
  ],
  invalid: [
    {
      name: 'a volume claim: the advice names the ReadWriteOnce trade-off instead of a strategy switch',
      yaml: deployment({
        spec: 'strategy: {type: Recreate}',
        pod: 'volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]',
      }),
      errors: [
        {
          message:
            /downtime on every rollout\. Its pods mount PersistentVolumeClaim web-data: if the volume is ReadWriteOnce, a surge pod on another node cannot attach it.*maxSurge: 1$/,
        },
      ],
    },
    {
      name: 'Recreate on a Deployment with ports',
      yaml: deployment({
        spec: `
          strategy:
            type: Recreate # the volume is ReadWriteOnce`,
        pod: 'terminationGracePeriodSeconds: 20',
      }),
      errors: [
        {
          message:
            /Deployment default\/web: strategy Recreate: all 3 old pod\(s\) are stopped before any new pod starts\. New pods are created only once the old ones have terminated \(up to 20s after deletion, at SIGKILL\).*Use strategy RollingUpdate with maxUnavailable: 0 and maxSurge: 1/,
          line: 8,
        },
      ],
      output: null,
    },
    {
      name: 'a Service selects the pods of a Deployment without declared ports',
      yaml: docs(deployment({ ports: false, spec: 'strategy: {type: Recreate}' }), service(undefined, 8080)),
      errors: [{ message: /all 3 old pod\(s\) are stopped/ }],
    },
  ],
});
