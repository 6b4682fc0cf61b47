import { rule } from '../../src/rules/signals-not-forwarded.js';
import { deployment, docs, service } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'a shell loop that serves nothing: stopped at SIGKILL, no request lost',
      yaml: docs(
        deployment({ ports: false, container: 'command: [sh, -c, "while true; do date; sleep 1; done"]' }),
        service().replace('app: web', 'app: api'),
      ),
    },
    { name: 'exec-form node', yaml: deployment({ container: 'command: [node, server.js]' }) },
    { name: 'sh -c with exec', yaml: deployment({ container: 'command: [sh, -c, "exec node server.js"]' }) },
    { name: 'tini in front of node', yaml: deployment({ container: 'command: [tini, --, node, server.js]' }) },
    {
      name: 'Dockerfile with exec-form CMD',
      yaml: deployment(),
      dockerfiles: { 'app/Dockerfile': 'FROM node:20-slim\nCMD ["node", "server.js"]\n' },
    },
    {
      name: 'manifest args override a bad CMD',
      yaml: deployment({ container: 'args: [node, server.js]' }),
      dockerfiles: {
        'app/Dockerfile': 'FROM node:20\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node", "server.js"]\n',
      },
    },
    {
      name: 'ignored in the Dockerfile by comment',
      yaml: deployment(),
      dockerfiles: { 'app/Dockerfile': '# zerodrop.dev/ignore: signals-not-forwarded\nFROM node\nCMD npm start\n' },
    },
  ],
  invalid: [
    {
      name: 'npm start in the manifest',
      yaml: deployment({ container: 'command: ["npm", "start"]' }),
      errors: [{ message: /`npm start`: npm runs the app as a child process/, line: 21 }],
      output: null,
    },
    {
      name: 'sh -c without exec in args',
      yaml: deployment({ container: 'args: ["sh", "-c", "node migrate.js && node server.js"]' }),
      errors: [{ message: /without `exec`: the shell is PID 1/ }],
    },
    {
      name: 'yarn behind the node image entrypoint',
      yaml: deployment({ container: 'args: [yarn, start]' }),
      dockerfiles: {
        'app/Dockerfile': 'FROM node:20\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node", "server.js"]\n',
      },
      errors: [{ message: /`yarn start`/ }],
    },
    {
      name: 'shell-form CMD in the Dockerfile',
      yaml: deployment(),
      dockerfiles: { 'app/Dockerfile': 'FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\nCMD node server.js\n' },
      errors: [
        {
          message: /CMD of the final stage: shell form runs `\/bin\/sh -c "node server.js"`/,
          line: 4,
          file: 'app/Dockerfile',
        },
      ],
    },
    {
      name: 'pnpm in a multi-line exec-form CMD',
      yaml: deployment(),
      dockerfiles: { 'app/Dockerfile': 'FROM node:20\nCMD ["pnpm", \\\n     "start"]\n' },
      errors: [{ message: /`pnpm start`/, line: 2, file: 'app/Dockerfile' }],
    },
    {
      name: 'shell-form ENTRYPOINT wins over an exec-form CMD',
      yaml: deployment(),
      dockerfiles: { 'app/Dockerfile': 'FROM node:20\nENTRYPOINT npm run serve\nCMD ["--port", "80"]\n' },
      errors: [{ message: /ENTRYPOINT of the final stage: `npm run serve`/, line: 2, file: 'app/Dockerfile' }],
    },
  ],
});
