import { rule } from '../../src/rules/prestop-needs-shell.js';
import { type DeploymentParts, deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

/** The test Deployment with another image for its container. */
function on(image: string, parts: DeploymentParts): string {
  return deployment(parts).replace('image: ghcr.io/acme/web:1.0', `image: ${image}`);
}

const DISTROLESS = 'gcr.io/distroless/nodejs20-debian12:nonroot';
const SH_SLEEP = 'lifecycle: {preStop: {exec: {command: [/bin/sh, -c, "sleep 10"]}}}';

ruleTester(rule, {
  valid: [
    {
      name: 'native sleep on distroless',
      yaml: on(DISTROLESS, { container: 'lifecycle: {preStop: {sleep: {seconds: 5}}}' }),
    },
    { name: 'sh -c sleep on an image with a shell', yaml: deployment({ container: SH_SLEEP }) },
    { name: 'the distroless debug tag has busybox', yaml: on('gcr.io/distroless/base:debug', { container: SH_SLEEP }) },
    {
      name: 'an exec of the app’s own binary',
      yaml: on(DISTROLESS, { container: 'lifecycle: {preStop: {exec: {command: [/app/drain, --wait=5]}}}' }),
    },
    {
      name: 'a Dockerfile on a slim base',
      yaml: deployment({ container: 'lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}' }),
      dockerfiles: { 'app/Dockerfile': 'FROM node:20-slim\nCMD ["node", "server.js"]\n' },
    },
  ],
  invalid: [
    {
      name: 'sh -c sleep on distroless: replaced by a native sleep, comments kept',
      yaml: on(DISTROLESS, {
        container: `
          lifecycle:
            # hold SIGTERM back while the endpoints update
            preStop:
              exec:
                command: ["/bin/sh", "-c", "sleep 10"]
            postStart: {httpGet: {path: /warm, port: http}} # warm caches`,
      }),
      errors: [
        {
          message:
            /container "app": the preStop hook runs `\/bin\/sh -c sleep 10`, but gcr.io\/distroless\/nodejs20-debian12:nonroot is a distroless image with no shell in it\. The hook fails \(FailedPreStopHook\) and the kubelet sends SIGTERM at 0s instead of 10s, while kube-proxy keeps sending new requests for up to 2s\. Use the native sleep action/,
          line: 24,
        },
      ],
      output: on(DISTROLESS, {
        container: `
          lifecycle:
            # hold SIGTERM back while the endpoints update
            preStop:
              sleep:
                seconds: 10
            postStart: {httpGet: {path: /warm, port: http}} # warm caches`,
      }),
    },
    {
      name: 'exec sleep on a Chainguard image, in flow style',
      yaml: on('cgr.dev/chainguard/node:latest', {
        container: 'lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}',
      }),
      errors: [{ message: /is a Chainguard image with no sleep in it.* instead of 5s/ }],
      output: on('cgr.dev/chainguard/node:latest', { container: 'lifecycle: {preStop: { sleep: { seconds: 5 } }}' }),
    },
    {
      name: 'the linked Dockerfile’s final stage is built on scratch through a named stage',
      yaml: deployment({ container: 'lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}' }),
      dockerfiles: {
        'app/Dockerfile':
          'FROM golang:1.22 AS build\nRUN go build -o /web\nFROM scratch AS run\nFROM run\nCOPY --from=build /web /web\n',
      },
      errors: [{ message: /its image is built FROM scratch \(app\/Dockerfile line 3\), an empty image with no sleep/ }],
    },
    {
      name: 'a target before Kubernetes 1.30: httpGet advice, no fix',
      yaml: on(DISTROLESS, { container: SH_SLEEP }),
      settings: { kubernetesVersion: '1.29' },
      errors: [{ message: /native sleep action needs Kubernetes 1\.30 \(target is 1\.29\): use an httpGet preStop/ }],
      output: null,
    },
    {
      name: 'a script that does more than sleep is not rewritten',
      yaml: on(DISTROLESS, {
        container: 'lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 5 && kill -HUP 1"]}}}',
      }),
      errors: [{ message: /no shell in it.*instead of 5s.*preStop: \{sleep: \{seconds: 3\}\}/ }],
      output: null,
    },
  ],
});
