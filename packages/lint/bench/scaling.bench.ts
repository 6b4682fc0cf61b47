// Inputs that were quadratic: a long Dockerfile continuation, many Dockerfile stages, many workloads behind many
// Services of one selector, one huge flow sequence. Each linted by the engine, next to yaml's own parse of the same
// text where YAML is involved. Run: npx tsc -b packages/lint && node packages/lint/dist/bench/scaling.bench.js
import { withPlainEnv } from '@zerodrop/core';
import { parseAllDocuments } from 'yaml';
import { defaultSettings } from '../src/config.js';
import { lint } from '../src/engine.js';
import type { Input } from '../src/files.js';
import { interleaved, type Variant } from './support.js';

const rounds = 3;

function continuationLines(n: number): string {
  const lines = ['FROM node:20', 'RUN echo 0 \\'];
  for (let i = 1; i < n; i++) lines.push(`  && echo ${i} \\`);
  lines.push('  && true', 'CMD ["node", "server.js"]');
  return lines.join('\n');
}

function stages(n: number): string {
  const lines = ['FROM node:20 AS s0'];
  for (let i = 1; i < n; i++) lines.push(`FROM s${i - 1} AS s${i}`, 'RUN true');
  lines.push('CMD ["node", "server.js"]');
  return lines.join('\n');
}

function selectorLinks(workloads: number, services: number): string {
  const parts: string[] = [];
  for (let i = 0; i < workloads; i++)
    parts.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, n: "${i}"}}\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/web:1.0.0\n          ports: [{containerPort: 8080}]\n`,
    );
  for (let i = 0; i < services; i++)
    parts.push(
      `apiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n`,
    );
  return parts.join('---\n');
}

function flowSequence(bytes: number): string {
  const items: string[] = [];
  for (let size = 0; size < bytes; ) {
    const item = `--flag-${items.length}`;
    items.push(item);
    size += item.length + 2;
  }
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: a:1.0.0\n          args: [${items.join(', ')}]\n`;
}

const cases: { name: string; input: Input }[] = [
  {
    name: 'Dockerfile, 100,000 continuation lines',
    input: { file: 'Dockerfile', kind: 'dockerfile', text: continuationLines(100_000) },
  },
  { name: 'Dockerfile, 100,000 stages', input: { file: 'Dockerfile', kind: 'dockerfile', text: stages(100_000) } },
  {
    name: '2,000 Deployments x 2,000 Services',
    input: { file: 'links.yaml', kind: 'manifest', text: selectorLinks(2000, 2000) },
  },
  {
    name: 'one 7 MB flow sequence',
    input: { file: 'flow.yaml', kind: 'manifest', text: flowSequence(7 * 1024 * 1024) },
  },
];

console.log(`min of ${rounds} interleaved rounds (ms)`);
for (const c of cases) {
  const variants: Variant[] = [{ name: 'lint', run: () => lint([c.input], defaultSettings()) }];
  if (c.input.kind === 'manifest') {
    variants.push({ name: 'yaml parseAllDocuments', run: () => parseAllDocuments(c.input.text) });
    variants.push({ name: 'parse, env lookup off', run: () => withPlainEnv(() => parseAllDocuments(c.input.text)) });
  }
  const samples = interleaved(variants, rounds);
  const shown = variants.map((v, i) => `${v.name} ${Math.min(...samples[i]!).toFixed(0)}`).join(', ');
  console.log(`${c.name.padEnd(40)} ${(c.input.text.length / 1024 / 1024).toFixed(1).padStart(5)} MiB  ${shown}`);
}
