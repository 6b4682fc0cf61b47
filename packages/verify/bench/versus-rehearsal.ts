/**
 * The same app and manifest, rehearsed (`zerodrop rehearse --manifest`, the built-in models) and verified on a real
 * control plane (`zerodrop verify` against the local cluster, through its NodePort), in one run, rounds interleaved.
 * Two variants of the test app: plain (no SIGTERM handling) and with @zerodrop/graceful.
 *
 *   node packages/verify/dist/bench/versus-rehearsal.js [--rounds N]
 *
 * Needs root and the Kubernetes binaries (see packages/cluster); prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, stopCluster } from '@zerodrop/cluster';
import { type DifferentialCase, differentialManifest } from '../src/differential.js';
import { app, LOAD, printTable, type Row, repo, requireCluster, resultRow, roundsArg, runCli } from './support.js';

const rounds = roundsArg();
requireCluster();

/** The manifest both engines read: 3 replicas, maxSurge 1, maxUnavailable 0, readiness on /ready, no preStop. */
function manifest(name: string, graceful: boolean): string {
  const c: DifferentialCase = {
    name,
    replicas: 3,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    env: { GRACEFUL: graceful ? '1' : '0' },
  };
  return differentialManifest(c, name, { command: ['node', app], cwd: repo }, dir);
}

const dir = mkdtempSync(join(tmpdir(), 'zerodrop-verify-bench-'));
const rows: Row<'rehearse' | 'verify'>[] = [];
try {
  const cluster = await startCluster({ dir: join(dir, 'cluster') });
  const kubectl = (args: string[], input = '') => {
    const r = spawnSync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], {
      input,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const variants = [
    { name: 'plain', graceful: false },
    { name: 'graceful', graceful: true },
  ];
  for (const v of variants) {
    const file = join(dir, `${v.name}.yaml`);
    writeFileSync(file, manifest(v.name, v.graceful));
    kubectl(['apply', '-f', file]);
    kubectl(['rollout', 'status', `deployment/${v.name}`, '--timeout=120s']);
  }
  // The kube-proxy model learns the endpoints after its propagation delay.
  await new Promise((r) => setTimeout(r, 3000));
  for (let round = 1; round <= rounds; round++) {
    for (const v of variants) {
      const file = join(dir, `${v.name}.yaml`);
      const json = join(dir, `${v.name}-${round}-rehearse.json`);
      let began = performance.now();
      const rehearsed = await runCli(['rehearse', '--manifest', file, ...LOAD, '--json', json, '--', 'node', app], dir);
      rows.push(resultRow(round, v.name, 'rehearse', rehearsed.code, json, (performance.now() - began) / 1000));
      const url = await cluster.nodePortUrl(v.name);
      const verifiedJson = join(dir, `${v.name}-${round}-verify.json`);
      began = performance.now();
      const verified = await runCli(
        [
          'verify',
          '--kubeconfig',
          cluster.kubeconfigPath,
          '--deployment',
          v.name,
          '--url',
          url,
          '--yes',
          ...LOAD,
          '--json',
          verifiedJson,
        ],
        dir,
      );
      if (verified.code === 2) throw new Error(`verify could not run:\n${verified.out}`);
      rows.push(resultRow(round, v.name, 'verify', verified.code, verifiedJson, (performance.now() - began) / 1000));
      console.error(
        rows
          .slice(-2)
          .map((r) => `${r.variant} ${r.engine}: ${r.failed}/${r.total} (${r.causes})`)
          .join('; '),
      );
    }
  }
} finally {
  await stopCluster(join(dir, 'cluster'));
  rmSync(dir, { recursive: true, force: true });
}

printTable(rows, 'engine');
