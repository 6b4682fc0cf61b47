import { rule } from '../../src/rules/rollout-max-unavailable.js';
import { deployment, docs, service } from '../support/manifests.js';

const daemonSet = (parts: Parameters<typeof deployment>[0] = {}) =>
  deployment({ kind: 'DaemonSet', ...parts }).replace('  replicas: 3\n', '');

import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'maxUnavailable 0, maxSurge 1',
      yaml: deployment({ spec: 'strategy:\n  rollingUpdate: {maxSurge: 1, maxUnavailable: 0}' }),
    },
    {
      name: '25% of 3 replicas rounds down to 0',
      yaml: deployment({ replicas: 3, spec: 'strategy:\n  rollingUpdate: {maxSurge: "25%", maxUnavailable: "25%"}' }),
    },
    { name: 'no strategy with 3 replicas: 25% rounds down to 0', yaml: deployment({ replicas: 3 }) },
    { name: 'Recreate is rollout-recreate, not this rule', yaml: deployment({ spec: 'strategy: {type: Recreate}' }) },
    {
      name: 'a worker Deployment serves no traffic: fewer workers for a while drops nothing',
      yaml: docs(deployment({ replicas: 4, ports: false }), service().replace('app: web', 'app: api')),
    },
    {
      name: 'a DaemonSet with a hostPort cannot surge: maxUnavailable 1 is the only rolling update',
      yaml: daemonSet({ container: 'ports: [{containerPort: 80, hostPort: 80}]' }),
    },
    {
      name: 'a DaemonSet on the host network cannot surge either',
      yaml: daemonSet({ pod: 'hostNetwork: true', spec: 'updateStrategy:\n  rollingUpdate: {maxUnavailable: 10%}' }),
    },
    {
      name: 'DaemonSet surging one pod per node',
      yaml: deployment({
        kind: 'DaemonSet',
        spec: 'updateStrategy:\n  rollingUpdate: {maxSurge: 1, maxUnavailable: 0}',
      }),
    },
  ],
  invalid: [
    {
      name: 'no strategy with 4 replicas: the default 25% rounds down to 1',
      yaml: deployment({ replicas: 4 }),
      errors: [{ message: /may take 1 pod\(s\) down.*"25%" \(default\) of 4 rounds down to 1/, line: 5 }],
      // The missing strategy goes at the end of spec, after the pod template.
      output: `${deployment({ replicas: 4 })}  strategy:\n    rollingUpdate:\n      maxUnavailable: 0\n`,
    },
    {
      name: 'maxSurge 0: the fenceposted 1 is replaced by surge',
      yaml: deployment({
        spec: 'strategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxSurge: 0 # no spare room\n    maxUnavailable: 1',
      }),
      errors: [{ message: /both are 0|may take 1 pod/, line: 11 }],
      output: deployment({
        spec: 'strategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxSurge: 1 # no spare room\n    maxUnavailable: 0',
      }),
    },
    {
      name: 'Argo Rollout canary',
      yaml: deployment({
        kind: 'Rollout',
        apiVersion: 'argoproj.io/v1alpha1',
        replicas: 10,
        spec: 'strategy:\n  canary: {maxSurge: "10%", maxUnavailable: "20%"}',
      }),
      errors: [{ message: /Rollout default\/web: the rollout may take 2 pod\(s\) down/ }],
    },
    {
      name: 'DaemonSet default maxUnavailable 1',
      yaml: daemonSet(),
      errors: [
        {
          message:
            /DaemonSet default\/web: maxUnavailable 1 \(default\): 1 node\(s\) at a time lose their pod before its replacement is ready; .*Set maxUnavailable: 0 and maxSurge: 1/,
        },
      ],
      output: `${daemonSet()}  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 0\n      maxSurge: 1\n`,
    },
    {
      name: 'DaemonSet maxUnavailable 10%: no node count is assumed',
      yaml: daemonSet({ spec: 'updateStrategy:\n  rollingUpdate: {maxUnavailable: 10%}' }),
      errors: [
        {
          message:
            /maxUnavailable "10%" of the nodes that run it, rounded up: at least 1 pod at a time, more on clusters of more than 10 nodes; /,
        },
      ],
    },
    {
      name: 'an invalid percentage is reported',
      yaml: deployment({ spec: 'strategy:\n  rollingUpdate: {maxUnavailable: "lots"}' }),
      errors: [{ message: /expected an integer or a percentage/ }],
    },
  ],
});
