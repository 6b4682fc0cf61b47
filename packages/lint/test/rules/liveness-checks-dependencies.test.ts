import { rule } from '../../src/rules/liveness-checks-dependencies.js';
import { deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'a shallow liveness endpoint',
      yaml: deployment({
        container: `
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe: {httpGet: {path: /live, port: http}}`,
      }),
    },
    {
      name: 'liveness on the readiness endpoint is liveness-same-as-readiness’s finding',
      yaml: deployment({
        container: `
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe: {httpGet: {path: /ready, port: http}}`,
      }),
    },
    {
      name: 'a database checking its own server',
      yaml: deployment({
        container: 'livenessProbe: {exec: {command: [pg_isready, -U, postgres, -h, 127.0.0.1, -p, "5432"]}}',
      }),
    },
    {
      name: 'a tcpSocket on the container',
      yaml: deployment({ container: 'livenessProbe: {tcpSocket: {port: http}}' }),
    },
    {
      name: 'Spring Boot liveness group',
      yaml: deployment({ container: 'livenessProbe: {httpGet: {path: /actuator/health/liveness, port: http}}' }),
    },
    {
      name: 'a path configured as shallow',
      yaml: deployment({ container: 'livenessProbe: {httpGet: {path: /health/deep, port: http}}' }),
      settings: { rules: { 'liveness-checks-dependencies': { options: { ignorePaths: '/other, /health/deep' } } } },
    },
  ],
  invalid: [
    {
      name: 'liveness on /readyz while readiness uses another path',
      yaml: deployment({
        container: `
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe:
            httpGet: {path: /readyz, port: http}
            periodSeconds: 5`,
      }),
      errors: [
        {
          message:
            /container "app": livenessProbe GET \/readyz looks like a readiness or dependency check \("readyz" in the path\)\..* restarts them all after 15s \(5s × 3\)/,
          line: 22,
        },
      ],
      output: null,
    },
    {
      name: 'a database path',
      yaml: deployment({ container: 'livenessProbe: {httpGet: {path: /health/db, port: http}, failureThreshold: 6}' }),
      errors: [{ message: /"db" in the path.*after 60s \(10s × 6\)/ }],
    },
    {
      name: 'Spring Boot aggregate health',
      yaml: deployment({ container: 'livenessProbe: {httpGet: {path: /actuator/health, port: 8080}}' }),
      errors: [{ message: /Spring Boot's aggregate health, which includes every health indicator/ }],
    },
    {
      name: 'exec redis-cli against the Redis service',
      yaml: deployment({ container: 'livenessProbe: {exec: {command: [sh, -c, "redis-cli -h redis.cache ping"]}}' }),
      errors: [{ message: /livenessProbe exec runs redis-cli against another host \(redis.cache\)/ }],
    },
    {
      name: 'tcpSocket to the database host',
      yaml: deployment({ container: 'livenessProbe: {tcpSocket: {host: postgres, port: 5432}}' }),
      errors: [{ message: /tcpSocket connects to another host \(postgres:5432\)/ }],
    },
  ],
});
