import { rule } from '../../src/rules/pdb-missing.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const PDB = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: web
`;

ruleTester(rule, {
  valid: [
    { name: 'a PDB selects the pods', yaml: docs(deployment(), PDB) },
    { name: 'a single replica (replicas-single covers it)', yaml: deployment({ replicas: 1 }) },
    {
      name: 'a worker pool serves no traffic: evicted at once, it pauses and drops no request',
      yaml: docs(deployment({ ports: false }), service().replace('app: web', 'app: api')),
    },
    {
      name: 'the PDB lives in another file of the same run (same namespace)',
      yaml: docs(deployment(), PDB.replace('maxUnavailable: 1', 'minAvailable: "50%"')),
    },
  ],
  invalid: [
    {
      name: 'a policy/v1 PDB without a selector protects nothing',
      yaml: docs(deployment(), PDB.replace('  selector:\n    matchLabels:\n      app: web\n', '')),
      errors: [{ message: /runs 3 replicas and no PodDisruptionBudget selects its pods/ }],
    },
    {
      name: 'three replicas, no PDB: one is appended',
      yaml: deployment(),
      errors: [{ message: /runs 3 replicas and no PodDisruptionBudget/, line: 4 }],
      output: docs(deployment(), PDB),
    },
    {
      name: 'a PDB in another namespace does not count',
      yaml: docs(
        deployment({ metadata: 'namespace: shop' }),
        PDB.replace('  name: web\n', '  name: web\n  namespace: other\n'),
      ),
      errors: [{ message: /Deployment shop\/web runs 3 replicas/ }],
    },
    {
      name: 'one replica scaled by an HPA with minReplicas 2',
      yaml: docs(
        deployment({ replicas: 1 }),
        'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 5\n',
      ),
      errors: [{ message: /runs 2 replicas/ }],
    },
  ],
});
