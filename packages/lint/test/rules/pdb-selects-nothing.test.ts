import { rule } from '../../src/rules/pdb-selects-nothing.js';
import { deployment, docs, pdb } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const NS_SHOP = 'namespace: shop';

const PROMETHEUS = `apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s}
spec: {replicas: 2}
`;

const TEMPLATE = '  template:\n    metadata: {labels: {app: x}}\n    spec: {containers: [{name: c, image: c}]}\n';

const bare = (apiVersion: string, spec: string) =>
  `apiVersion: ${apiVersion}\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 1\n${spec}`;

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
      name: 'an operator makes the pods from a custom resource (Prometheus): cannot tell, say nothing',
      yaml: docs(
        deployment(),
        PROMETHEUS,
        pdb('maxUnavailable: 1', 'prometheus', 'app.kubernetes.io/name: prometheus'),
      ),
    },
    // Next to a Deployment the PDB does not select: other things that make pods, each with the PDB's label app: x.
    ...[
      [
        'an unknown custom resource: cannot tell either',
        'apiVersion: acme.example.com/v1\nkind: Cache\nmetadata: {name: c}\n',
      ],
      ['a Job’s pods', `apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n${TEMPLATE}`],
      [
        'a ReplicationController’s pods',
        `apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n${TEMPLATE}`,
      ],
    ].map(([name, owner]) => ({
      name: name!,
      yaml: docs(deployment(), owner!, pdb('maxUnavailable: 1', 'x', 'app: x')),
    })),
    {
      name: 'policy/v1: {} selects every pod of the namespace',
      yaml: docs(deployment(), bare('policy/v1', '  selector: {}\n')),
    },
    {
      name: 'no workload in the PDB namespace',
      yaml: docs(deployment({ metadata: NS_SHOP }), pdb('maxUnavailable: 1', 'cache', 'app: cache')),
    },
  ],
  invalid: [
    {
      name: 'policy/v1 without a selector selects no pod, even with no workload in the run',
      yaml: bare('policy/v1', ''),
      errors: [
        {
          message:
            /PodDisruptionBudget default\/web has no selector, and a budget without a selector selects no pod: it protects nothing/,
          line: 4,
        },
      ],
    },
    {
      name: 'a null selector is no selector',
      yaml: docs(deployment(), bare('policy/v1', '  selector: null\n')),
      errors: [{ message: /has no selector/ }],
    },
    {
      name: 'policy/v1beta1: {} selects no pod',
      yaml: docs(deployment(), bare('policy/v1beta1', '  selector: {}\n')),
      errors: [
        { message: /has an empty selector \(\{\}\), which policy\/v1beta1 reads as selecting no pod/, line: 27 },
      ],
    },
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
