import { rule } from '../../src/rules/pdb-blocks-eviction.js';
import { deployment, docs, hpa, pdb } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'maxUnavailable: 1 over 3 replicas', yaml: docs(deployment(), pdb()) },
    { name: 'minAvailable 2 of 3 replicas', yaml: docs(deployment(), pdb('minAvailable: 2')) },
    { name: 'minAvailable 50% of 3 replicas rounds up to 2', yaml: docs(deployment(), pdb('minAvailable: "50%"')) },
    { name: 'maxUnavailable 10% of 3 replicas rounds up to 1', yaml: docs(deployment(), pdb('maxUnavailable: 10%')) },
    {
      name: 'minAvailable 2 with an HPA that never goes below 3',
      yaml: docs(deployment({ replicas: 1 }), pdb('minAvailable: 2'), hpa(3)),
    },
    {
      name: 'a lone PDB with maxUnavailable 1: its pods are elsewhere, it lets one go',
      yaml: pdb('maxUnavailable: 1', 'x', 'app: x'),
    },
    {
      name: 'a lone PDB with minAvailable 2: whether it blocks depends on a replica count not in the run',
      yaml: pdb('minAvailable: 2', 'x', 'app: x'),
    },
    {
      name: 'a lone PDB with maxUnavailable 0 and no selector selects no pod (pdb-selects-nothing says so)',
      yaml: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec: {maxUnavailable: 0}\n',
    },
    {
      name: 'a DaemonSet: drain skips its pods',
      yaml: docs(deployment({ kind: 'DaemonSet' }).replace('  replicas: 3\n', ''), pdb('maxUnavailable: 0')),
    },
    { name: 'scaled to zero: nothing to evict', yaml: docs(deployment({ replicas: 0 }), pdb('minAvailable: 1')) },
  ],
  invalid: [
    {
      name: 'minAvailable equals the replicas',
      yaml: docs(deployment(), pdb('minAvailable: 3')),
      errors: [
        {
          message:
            /PodDisruptionBudget default\/web allows no disruption: minAvailable 3: 3 healthy pod\(s\), 3 required, 0 disruption\(s\) allowed \(Deployment default\/web runs 3\)\. Every eviction answers 429.*Use maxUnavailable: 1/,
          line: 27,
        },
      ],
      output: null,
    },
    {
      name: 'minAvailable 100%',
      yaml: docs(deployment(), pdb('minAvailable: "100%"')),
      errors: [{ message: /minAvailable 100% of 3 pod\(s\) = 3 \(rounded up\)/ }],
      output: null,
    },
    {
      name: 'minAvailable 90% rounds up to every pod',
      yaml: docs(deployment(), pdb('minAvailable: 90%')),
      errors: [{ message: /minAvailable 90% of 3 pod\(s\) = 3 \(rounded up\).*0 disruption/ }],
    },
    {
      name: 'maxUnavailable 0: fixed to 1',
      yaml: docs(deployment(), pdb('maxUnavailable: 0 # strict')),
      errors: [{ message: /maxUnavailable 0: 3 healthy pod\(s\), 3 required/ }],
      output: docs(deployment(), pdb('maxUnavailable: 1 # strict')),
    },
    {
      name: 'maxUnavailable "0%"',
      yaml: docs(deployment(), pdb('maxUnavailable: "0%"')),
      errors: [{ message: /maxUnavailable 0% of 3 pod\(s\) = 0/ }],
      output: docs(deployment(), pdb('maxUnavailable: 1')),
    },
    {
      name: 'minAvailable 3 below replicas 5, but the HPA scales down to 3',
      yaml: docs(deployment({ replicas: 5 }), pdb('minAvailable: 3'), hpa(3)),
      errors: [{ message: /\(Deployment default\/web scales down to 3 \(HPA web\)\)/ }],
    },
    {
      name: 'one replica and maxUnavailable 0: not fixed, more replicas needed first',
      yaml: docs(deployment({ replicas: 1 }), pdb('maxUnavailable: 0')),
      errors: [{ message: /A single pod cannot be evicted without downtime: run at least 2 replicas/ }],
      output: null,
    },
    {
      name: 'one PDB over two workloads counts the pods of both',
      yaml: docs(
        deployment({ replicas: 2 }),
        deployment({ name: 'api', replicas: 2 }).replace(/app: api/g, 'app: web'),
        pdb('minAvailable: 4'),
      ),
      errors: [
        {
          message: /minAvailable 4: 4 healthy pod\(s\).*Deployment default\/web runs 2; Deployment default\/api runs 2/,
        },
      ],
    },
    {
      name: 'a lone PDB with maxUnavailable 0 blocks every drain of its pods, wherever they are defined',
      yaml: pdb('maxUnavailable: 0', 'x', 'app: x'),
      errors: [
        {
          message:
            /PodDisruptionBudget default\/x allows no disruption whatever the number of pods it selects \(maxUnavailable 0; it selects no workload of the linted files\).*answers 429/,
          line: 6,
        },
      ],
      output: null,
    },
    {
      name: 'a PDB next to a workload it does not select, with maxUnavailable "0%"',
      yaml: docs(deployment(), pdb('maxUnavailable: "0%"', 'x', 'app: x')),
      errors: [
        { message: /default\/x allows no disruption whatever the number of pods it selects \(maxUnavailable 0%/ },
      ],
    },
    {
      name: 'a lone PDB with minAvailable 100%',
      yaml: pdb('minAvailable: 100%', 'x', 'app: x'),
      errors: [{ message: /\(minAvailable 100%; it selects no workload/ }],
    },
    {
      name: 'a value Kubernetes rejects',
      yaml: docs(deployment(), pdb('minAvailable: most')),
      errors: [{ message: /PodDisruptionBudget default\/web: minAvailable: expected an integer or a percentage/ }],
    },
  ],
});
