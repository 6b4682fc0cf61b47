/**
 * A 4-replica rollout of the same app and manifest rehearsed with the built-in models (`zerodrop rehearse`) and on
 * the real control plane (`zerodrop rehearse --control-plane kubernetes`), rounds interleaved, for two variants of
 * one app: plain (no SIGTERM handling) and with @zerodrop/graceful. The kubernetes runs share one cluster
 * (`--cluster DIR`, started once); the first round also times a run that starts and stops its own cluster.
 *
 *   node packages/verify/dist/bench/real-vs-model.js [--rounds N]
 *
 * Needs root and the Kubernetes binaries (see the README); prints a Markdown table.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, stopCluster } from '@zerodrop/cluster';
import { app, LOAD, printTable, type Row, requireCluster, resultRow, roundsArg, runCli } from './support.js';

const rounds = roundsArg();
requireCluster();

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

const dir = mkdtempSync(join(tmpdir(), 'zerodrop-real-vs-model-'));
const manifest = join(dir, 'deploy.yaml');
writeFileSync(manifest, MANIFEST);
const rows: Row<Engine>[] = [];

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
  const row = resultRow(round, variant, engine, code, json, wallS);
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

printTable(rows, 'control plane');
