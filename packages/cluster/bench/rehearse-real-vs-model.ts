/**
 * A 4-replica rollout of the same app and manifest rehearsed with the built-in models (`zerodrop rehearse`) and on
 * the real control plane (`zerodrop rehearse --control-plane kubernetes`), rounds interleaved, for two variants of
 * one app: plain (no SIGTERM handling) and with @zerodrop/graceful. The kubernetes runs share one cluster
 * (`--cluster DIR`, started once); the first round also times a run that starts and stops its own cluster.
 *
 *   node packages/cluster/dist/bench/rehearse-real-vs-model.js [--rounds N]
 *
 * Needs root and the Kubernetes binaries (see the README); prints a Markdown table.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterUnavailableReason, startCluster, stopCluster } from '../src/index.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(repo, 'packages', 'cli', 'bin', 'zerodrop.js');
const app = join(repo, 'packages', 'verify', 'dist', 'test', 'fixtures', 'web.js');
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg === -1 ? 3 : Number(process.argv[roundsArg + 1]);
const LOAD = ['--rate', '200', '--connections', '16', '--warmup', '2', '--settle', '3'];

const unavailable = clusterUnavailableReason();
if (unavailable) {
  console.error(`no cluster here: ${unavailable}`);
  process.exit(2);
}

/** 4 replicas, maxSurge 1, maxUnavailable 0, readiness on /ready every second, no preStop, grace 30 s. */
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: web
          image: example.com/web:1
          ports: [{name: http, containerPort: 8080}]
          readinessProbe:
            httpGet: {path: /ready, port: http}
            periodSeconds: 1
            failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

type Engine = 'models' | 'kubernetes' | 'kubernetes, own cluster';

interface Row {
  round: number;
  variant: string;
  engine: Engine;
  exit: number | null;
  total: number;
  failed: number;
  causes: string;
  rolloutS: number;
  wallS: number;
}

function runCli(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'zerodrop-real-vs-model-'));
const manifest = join(dir, 'deploy.yaml');
writeFileSync(manifest, MANIFEST);
const rows: Row[] = [];

async function measure(round: number, variant: string, engine: Engine, graceful: boolean, clusterDir: string) {
  const json = join(dir, `${round}-${variant}-${engine.replace(/\W+/g, '-')}.json`);
  const plane =
    engine === 'models'
      ? []
      : ['--control-plane', 'kubernetes', ...(engine === 'kubernetes' ? ['--cluster', clusterDir] : [])];
  const began = performance.now();
  const { code, out } = await runCli(
    [
      'rehearse',
      ...plane,
      '--manifest',
      manifest,
      '--env',
      `GRACEFUL=${graceful ? 1 : 0}`,
      ...LOAD,
      '--json',
      json,
      '--',
      'node',
      app,
    ],
    dir,
  );
  const wallS = (performance.now() - began) / 1000;
  if (code === 2 || !existsSync(json)) throw new Error(`${variant} on ${engine} could not run (exit ${code}):\n${out}`);
  const result = JSON.parse(readFileSync(json, 'utf8')) as {
    requests: { total: number; failed: number };
    rollout: { durationMs: number };
    attribution?: { groups: { cause: string; count: number }[] };
  };
  const row: Row = {
    round,
    variant,
    engine,
    exit: code,
    total: result.requests.total,
    failed: result.requests.failed,
    causes: (result.attribution?.groups ?? []).map((g) => `${g.cause} ${g.count}`).join(', ') || '–',
    rolloutS: result.rollout.durationMs / 1000,
    wallS,
  };
  rows.push(row);
  console.error(`${round} ${variant} ${engine}: ${row.failed}/${row.total} (${row.causes}), ${wallS.toFixed(1)} s`);
}

const clusterDir = join(dir, 'cluster');
try {
  await startCluster({ dir: clusterDir });
  for (let round = 1; round <= rounds; round++) {
    for (const [variant, graceful] of [
      ['plain', false],
      ['graceful', true],
    ] as const) {
      await measure(round, variant, 'models', graceful, clusterDir);
      await measure(round, variant, 'kubernetes', graceful, clusterDir);
      if (round === 1) await measure(round, variant, 'kubernetes, own cluster', graceful, clusterDir);
    }
  }
} finally {
  await stopCluster(clusterDir);
  rmSync(dir, { recursive: true, force: true });
}

console.log('| round | app | control plane | exit | requests | failed | causes | rollout (s) | wall (s) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.round} | ${r.variant} | ${r.engine} | ${r.exit} | ${r.total.toLocaleString('en-US')} | ${r.failed} | ${r.causes} | ${r.rolloutS.toFixed(1)} | ${r.wallS.toFixed(1)} |`,
  );
}
