import { rule } from '../../src/rules/grace-period-too-short.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'defaults: no preStop, 30 s grace, 5 s drain', yaml: deployment() },
    {
      name: 'a worker that serves no traffic has no drain to fit',
      yaml: docs(
        deployment({ ports: false, pod: 'terminationGracePeriodSeconds: 2' }),
        service().replace('app: web', 'app: api'),
      ),
    },
    {
      name: 'preStop 20 + drain 5 + margin 1 fits in 30',
      yaml: deployment({ container: 'lifecycle: {preStop: {sleep: {seconds: 20}}}' }),
    },
    {
      name: 'preStop 60 with grace 70',
      yaml: deployment({
        pod: 'terminationGracePeriodSeconds: 70',
        container: 'lifecycle: {preStop: {sleep: {seconds: 60}}}',
      }),
    },
    {
      name: 'only serving containers count: a sidecar without ports next to the app is not judged',
      yaml: `${deployment({ pod: 'terminationGracePeriodSeconds: 12', container: 'lifecycle: {preStop: {sleep: {seconds: 3}}}' })}        - name: shipper\n          image: ghcr.io/acme/shipper:1.0\n          lifecycle: {preStop: {sleep: {seconds: 30}}}\n`,
    },
  ],
  invalid: [
    {
      name: 'preStop 28 with the default grace: SIGKILL at 30 s cuts the drain',
      yaml: deployment({ container: 'lifecycle: {preStop: {sleep: {seconds: 28}}}' }),
      errors: [
        {
          message: /terminationGracePeriodSeconds 30 \(the default, as none is written\).*grace must be >= 34s/,
          line: 14,
        },
      ],
      // A missing key goes at the end of its map (the pod spec), after the containers.
      output: `${deployment({ container: 'lifecycle: {preStop: {sleep: {seconds: 28}}}' })}      terminationGracePeriodSeconds: 34\n`,
    },
    {
      name: 'a written grace period is raised in place',
      yaml: deployment({
        pod: 'terminationGracePeriodSeconds: 10 # seconds',
        container: 'lifecycle: {preStop: {sleep: {seconds: 10}}}',
      }),
      errors: [{ message: /terminationGracePeriodSeconds 10 is too short for container "app"/, line: 15 }],
      output: deployment({
        pod: 'terminationGracePeriodSeconds: 16 # seconds',
        container: 'lifecycle: {preStop: {sleep: {seconds: 10}}}',
      }),
    },
    {
      name: 'the numbers of the message add up to its conclusion',
      yaml: deployment({ pod: 'terminationGracePeriodSeconds: 5' }),
      errors: [
        {
          message:
            /terminationGracePeriodSeconds 5 is too short for container "app": the app is drained at 5s \(preStop 0s \+ drain 5s\) \+ margin 1s = 6s, after SIGKILL at 5s \(grace 5s\); grace must be >= 9s: the 3s preStop kube-proxy needs \+ drain 5s \+ margin 1s = 9s$/,
        },
      ],
      output: deployment({ pod: 'terminationGracePeriodSeconds: 9' }),
    },
    {
      name: 'grace 0: preStop is skipped and SIGKILL comes after the kubelet’s minimum 2 s',
      yaml: deployment({ pod: 'terminationGracePeriodSeconds: 0' }),
      settings: { app: { drainSeconds: 5, drainDelaySeconds: 5 } },
      errors: [{ message: /terminationGracePeriodSeconds 0 is too short.*after SIGKILL at 2s \(grace 0s\)/ }],
    },
  ],
});
