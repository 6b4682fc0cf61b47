import { rule } from '../../src/rules/pdb-multiple.js';
import { deployment, docs, pdb } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'one PDB', yaml: docs(deployment(), pdb()) },
    {
      name: 'two PDBs, one per workload',
      yaml: docs(deployment(), deployment({ name: 'api' }), pdb(), pdb('maxUnavailable: 1', 'api', 'app: api')),
    },
    {
      name: 'a second PDB with the same labels in another namespace',
      yaml: docs(deployment(), pdb(), pdb().replace('  name: web\n', '  name: web\n  namespace: other\n')),
    },
  ],
  invalid: [
    {
      name: 'two PDBs with the same selector',
      yaml: docs(deployment(), pdb(), pdb('minAvailable: 2', 'web-min')),
      errors: [
        {
          message:
            /Deployment default\/web: its pods are selected by 2 PodDisruptionBudgets \(web, web-min\): the eviction API answers 500/,
          line: 4,
        },
      ],
    },
    {
      name: 'an empty selector selects every pod of the namespace',
      yaml: docs(
        deployment(),
        deployment({ name: 'api' }),
        pdb(),
        pdb('maxUnavailable: 1', 'all', '{}').replace('    matchLabels:\n      {}\n', '    {}\n'),
      ),
      errors: [{ message: /Deployment default\/web: .* 2 PodDisruptionBudgets \(web, all\)/, line: 4 }],
    },
  ],
});
