import { rule } from '../../src/rules/liveness-same-as-readiness.js';
import { deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'separate endpoints',
      yaml: deployment({
        container: `
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe: {httpGet: {path: /live, port: http}}`,
      }),
    },
    {
      name: 'only a readinessProbe',
      yaml: deployment({ container: 'readinessProbe: {httpGet: {path: /ready, port: http}}' }),
    },
    {
      name: 'same path on another port',
      yaml: deployment({
        container: `
          readinessProbe: {httpGet: {path: /health, port: 8080}}
          livenessProbe: {httpGet: {path: /health, port: 9090}}`,
      }),
    },
  ],
  invalid: [
    {
      name: 'same httpGet path and port',
      yaml: deployment({
        container: `
          readinessProbe:
            httpGet: {path: /health, port: http}
          livenessProbe:
            httpGet: {path: /health, port: http}
            periodSeconds: 20`,
      }),
      errors: [{ message: /checks the same endpoint as readinessProbe \(\/health on port http\)/, line: 23 }],
      output: null,
    },
    {
      name: 'path left out on both (defaults to /)',
      yaml: deployment({
        container: `
          readinessProbe: {httpGet: {port: 8080}}
          livenessProbe: {httpGet: {port: 8080}}`,
      }),
      errors: [{ message: /\(\/ on port 8080\)/ }],
    },
    {
      name: 'same exec command',
      yaml: deployment({
        container: `
          readinessProbe: {exec: {command: [/bin/check]}}
          livenessProbe: {exec: {command: [/bin/check]}}`,
      }),
      errors: [{ message: /livenessProbe checks the same endpoint/ }],
    },
  ],
});
