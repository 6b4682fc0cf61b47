import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  baseImageOf,
  dockerfileFor,
  finalStage,
  imageRepository,
  parseDockerfile,
  shellFreeImageKind,
  signalProblemOf,
  startCommandOf,
} from '../src/index.js';

const MULTI = `# syntax=docker/dockerfile:1
FROM node:20 AS build
WORKDIR /app
RUN npm ci \\
  && npm run build
FROM node:20-slim AS runtime
COPY --from=build /app /app
USER node
STOPSIGNAL SIGINT
ENTRYPOINT ["node"]
CMD ["dist/server.js"]
`;

test('instructions with lines, continuations joined, stages with their last CMD/ENTRYPOINT/USER/STOPSIGNAL', () => {
  const df = parseDockerfile(MULTI, 'Dockerfile');
  assert.deepEqual(
    df.instructions.map((i) => [i.keyword, i.line, i.endLine]),
    [
      ['FROM', 2, 2],
      ['WORKDIR', 3, 3],
      ['RUN', 4, 5],
      ['FROM', 6, 6],
      ['COPY', 7, 7],
      ['USER', 8, 8],
      ['STOPSIGNAL', 9, 9],
      ['ENTRYPOINT', 10, 10],
      ['CMD', 11, 11],
    ],
  );
  assert.equal(df.instructions[2]?.value, 'npm ci && npm run build');
  assert.equal(df.stages.length, 2);
  const last = finalStage(df)!;
  assert.equal(last.name, 'runtime');
  assert.equal(last.user?.value, 'node');
  assert.equal(last.stopSignal?.value, 'SIGINT');
  assert.deepEqual(startCommandOf(last), { argv: ['node', 'dist/server.js'], shellForm: false });
  assert.equal(signalProblemOf(startCommandOf(last)!), undefined);
});

test('shell form wraps in /bin/sh -c; a shell-form ENTRYPOINT ignores CMD', () => {
  const df = parseDockerfile('FROM alpine\nENTRYPOINT node server.js\nCMD ["--port", "80"]\n', 'Dockerfile');
  const start = startCommandOf(finalStage(df)!)!;
  assert.deepEqual(start, { argv: ['/bin/sh', '-c', 'node server.js'], shellForm: true });
  assert.equal(signalProblemOf(start)?.reason, 'shell-form');
});

test('Kubernetes command/args override ENTRYPOINT/CMD', () => {
  const stage = finalStage(parseDockerfile('FROM node\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD npm start\n', 'D'))!;
  assert.deepEqual(startCommandOf(stage, { args: ['node', 'a.js'] })?.argv, ['docker-entrypoint.sh', 'node', 'a.js']);
  assert.deepEqual(startCommandOf(stage, { command: ['node'], args: ['b.js'] })?.argv, ['node', 'b.js']);
});

test('a stage FROM an earlier stage inherits its CMD', () => {
  const df = parseDockerfile('FROM node AS base\nCMD ["node","a.js"]\nFROM base\nRUN true\n', 'D');
  assert.deepEqual(startCommandOf(finalStage(df)!)?.argv, ['node', 'a.js']);
});

test('signal problems: package managers, sh -c without exec; inits and exec are fine', () => {
  const reason = (argv: string[]) => signalProblemOf({ argv, shellForm: false })?.reason;
  assert.equal(reason(['npm', 'start']), 'package-manager');
  assert.equal(reason(['yarn', 'start']), 'package-manager');
  assert.equal(reason(['pnpm', 'run', 'serve']), 'package-manager');
  assert.equal(reason(['sh', '-c', 'node server.js']), 'shell-without-exec');
  assert.equal(reason(['/bin/bash', '-c', 'exec npm start']), 'package-manager');
  assert.equal(reason(['sh', '-c', 'exec node server.js']), undefined);
  assert.equal(reason(['tini', '--', 'node', 'server.js']), undefined);
  assert.equal(reason(['dumb-init', 'npm', 'start']), 'package-manager');
  assert.equal(reason(['node', 'server.js']), undefined);
});

test('escape directive and heredocs', () => {
  const df = parseDockerfile(
    '# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\\\nRUN <<EOF\necho hi\nEOF\nCMD ["app"]\n',
    'D',
  );
  assert.deepEqual(
    df.instructions.map((i) => [i.keyword, i.line]),
    [
      ['FROM', 2],
      ['RUN', 3],
      ['RUN', 5],
      ['CMD', 8],
    ],
  );
});

test('a Dockerfile links to the workload by mapping, or by sharing its folder', () => {
  const a = parseDockerfile('FROM x\n', 'svc/a/Dockerfile');
  const b = parseDockerfile('FROM x\n', 'svc/b/Dockerfile');
  assert.equal(imageRepository('ghcr.io/acme/api:1.2@sha256:abc'), 'ghcr.io/acme/api');
  assert.equal(imageRepository('localhost:5000/api'), 'localhost:5000/api');
  assert.equal(dockerfileFor('svc/a/deploy.yaml', 0, 'api:1', [a, b]), a);
  assert.equal(dockerfileFor('svc/a/deploy.yaml', 1, 'envoy:1', [a, b]), undefined);
  assert.equal(
    dockerfileFor(
      'k8s/deploy.yaml',
      0,
      'ghcr.io/acme/api:2',
      [a, b],
      [{ dockerfile: 'svc/b/Dockerfile', images: ['ghcr.io/acme/api'] }],
    ),
    b,
  );
});

test('base image of the final stage, followed through earlier stages', () => {
  assert.equal(baseImageOf(parseDockerfile(MULTI, 'Dockerfile'))?.image, 'node:20-slim');
  const chained = parseDockerfile(
    'FROM golang:1.22 AS build\nFROM gcr.io/distroless/static:nonroot AS base\nFROM base\nCOPY --from=build /a /a\n',
    'Dockerfile',
  );
  assert.deepEqual(
    [baseImageOf(chained)?.image, baseImageOf(chained)?.from.line],
    ['gcr.io/distroless/static:nonroot', 2],
  );
  assert.equal(baseImageOf(parseDockerfile('# nothing\n', 'Dockerfile')), undefined);
});

test('images without a shell: scratch, distroless, Chainguard, chiseled; their debug/dev variants have one', () => {
  assert.match(shellFreeImageKind('scratch') ?? '', /an empty image/);
  assert.match(shellFreeImageKind('gcr.io/distroless/nodejs20-debian12') ?? '', /distroless/);
  assert.match(shellFreeImageKind('gcr.io/distroless/static:nonroot') ?? '', /distroless/);
  assert.match(shellFreeImageKind('cgr.dev/chainguard/node:latest') ?? '', /Chainguard/);
  assert.match(shellFreeImageKind('mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled') ?? '', /chiseled/);
  for (const image of [
    'gcr.io/distroless/base:debug',
    'gcr.io/distroless/base:debug-nonroot',
    'cgr.dev/chainguard/node:latest-dev',
    'node:20-slim',
    'alpine:3.20',
    'ghcr.io/acme/web:1.0',
  ])
    assert.equal(shellFreeImageKind(image), undefined, image);
});

test('a comment inside a continuation is dropped and the instruction goes on, as Docker reads it', () => {
  const parsed = parseDockerfile(
    'FROM node:20\nRUN apt-get update && \\\n# the packages\n    apt-get install -y curl\nCMD ["node"]\n',
    'D',
  );
  assert.deepEqual(
    parsed.instructions.map((i) => [i.keyword, i.value, i.line, i.endLine]),
    [
      ['FROM', 'node:20', 1, 1],
      ['RUN', 'apt-get update && apt-get install -y curl', 2, 4],
      ['CMD', '["node"]', 5, 5],
    ],
  );
});

test('long inputs: 100,000 continuation lines make one instruction; 100,000 stages chain to their base', () => {
  const lines = ['FROM node:20', 'RUN echo 0 \\'];
  for (let i = 1; i < 100_000; i++) lines.push(`  && echo ${i} \\`);
  lines.push('  && true', 'CMD ["node", "a.js"]');
  const long = parseDockerfile(lines.join('\n'), 'D');
  assert.equal(long.instructions.length, 3);
  assert.equal(long.instructions[1]?.endLine, 100_002);
  assert.ok(long.instructions[1]?.value.endsWith('&& echo 99999 && true'));
  const stages = ['FROM scratch AS s0'];
  for (let i = 1; i < 100_000; i++) stages.push(`FROM s${i - 1} AS s${i}`);
  stages.push('CMD ["app"]');
  const chained = parseDockerfile(stages.join('\n'), 'D');
  assert.equal(chained.stages.length, 100_000);
  assert.equal(baseImageOf(chained)?.image, 'scratch');
});
