import { rule } from '../../src/rules/pdb-selects-nothing.js';
import { deployment, docs, pdb } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const NS_SHOP = 'namespace: shop';

ruleTester(rule, {
  valid: [
    { name: 'the PDB selects the Deployment', yaml: docs(deployment(), pdb()) },
    {
      name: 'matchExpressions that match',
      yaml: docs(
        deployment(),
        pdb(
          'maxUnavailable: 1',
          'web',
          'app: web\n    matchExpressions: [{key: app, operator: In, values: [web, api]}]',
        ),
      ),
    },
    {
      name: 'no workload in the run at all: the pods may be defined elsewhere',
      yaml: pdb('maxUnavailable: 1', 'web', 'app: other'),
    },
    {
      name: 'no workload in the PDB namespace',
      yaml: docs(deployment({ metadata: NS_SHOP }), pdb('maxUnavailable: 1', 'cache', 'app: cache')),
    },
  ],
  invalid: [
    {
      name: 'a typo in the label value',
      yaml: docs(deployment(), pdb('maxUnavailable: 1', 'web', 'app: wbe')),
      errors: [
        {
          message:
            /PodDisruptionBudget default\/web selects app=wbe, but no workload in namespace default has pods with those labels \(Deployment default\/web has app=web\): it protects nothing/,
          line: 28,
        },
      ],
    },
    {
      name: 'a matchExpression no pod satisfies',
      yaml: docs(
        deployment(),
        pdb('maxUnavailable: 1', 'web', 'app: web\n    matchExpressions: [{key: tier, operator: Exists}]'),
      ),
      errors: [{ message: /selects app=web, tier Exists, but no workload/ }],
    },
    {
      name: 'same labels, other namespace',
      yaml: docs(
        deployment({ metadata: NS_SHOP }),
        deployment({ name: 'api' }),
        pdb().replace('  name: web\n', '  name: web\n  namespace: default\n'),
      ),
      errors: [{ message: /no workload in namespace default .*Deployment default\/api has app=api/ }],
    },
  ],
});
