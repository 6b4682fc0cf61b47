import { rule } from '../../src/rules/grace-period-too-short.js';
import { deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'defaults: no preStop, 30 s grace, 5 s drain', yaml: deployment() },
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
      name: 'grace 0: preStop is skipped and SIGKILL comes at once',
      yaml: deployment({ pod: 'terminationGracePeriodSeconds: 0' }),
      settings: { app: { drainSeconds: 5, drainDelaySeconds: 5 } },
      errors: [{ message: /terminationGracePeriodSeconds 0 is too short/ }],
    },
  ],
});
