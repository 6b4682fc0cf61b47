/**
 * The differential check of rehearse's models over the whole matrix: each case rolled out by the built-in models
 * and by the real control plane of a local cluster, the shapes compared (see src/differential.ts).
 *
 *   node packages/verify/dist/bench/differential.js [--only NAME-SUBSTRING] [--json FILE] [--cluster DIR]
 *
 * With --cluster, the cluster of that folder is used (started if it is not running) and left running; otherwise a
 * cluster is started in a temporary folder and stopped at the end.
 * Needs root and the Kubernetes binaries (see packages/cluster); prints a Markdown table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterUnavailableReason, startCluster, stopCluster } from '@zerodrop/cluster';
import { stepsText } from '@zerodrop/rehearse';
import { type Differential, type DifferentialCase, differential } from '../src/differential.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const app = join(repo, 'packages', 'verify', 'dist', 'test', 'fixtures', 'web.js');
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
const only = arg('--only');
const jsonOut = arg('--json');
const clusterArg = arg('--cluster');

const rolling = (maxSurge: number | string, maxUnavailable: number | string) => ({
  type: 'RollingUpdate',
  rollingUpdate: { maxSurge, maxUnavailable },
});

const MATRIX: DifferentialCase[] = [
  { name: '25%/25% ×4 (defaults)', replicas: 4, strategy: rolling('25%', '25%') },
  { name: '1/0 ×3', replicas: 3, strategy: rolling(1, 0) },
  { name: '0/1 ×3', replicas: 3, strategy: rolling(0, 1) },
  { name: '2/0 ×4', replicas: 4, strategy: rolling(2, 0) },
  { name: '1/1 ×4', replicas: 4, strategy: rolling(1, 1) },
  { name: '50%/0 ×4', replicas: 4, strategy: rolling('50%', 0) },
  { name: 'Recreate ×3', replicas: 3, strategy: { type: 'Recreate' } },
  { name: '1/0 ×3, minReadySeconds 3', replicas: 3, strategy: rolling(1, 0), minReadySeconds: 3 },
  {
    name: '1/0 ×3, new pods Ready 4 s late',
    replicas: 3,
    strategy: rolling(1, 0),
    newPods: { readyAfterMs: 4000 },
  },
  {
    name: '25%/25% ×4, new pods never Ready',
    replicas: 4,
    strategy: rolling('25%', '25%'),
    newPods: 'never',
    progressDeadlineSeconds: 15,
  },
  {
    name: '0/1 ×3, new pods never Ready',
    replicas: 3,
    strategy: rolling(0, 1),
    newPods: 'never',
    progressDeadlineSeconds: 15,
  },
  { name: '1/0 ×3, one old pod not Ready', replicas: 3, strategy: rolling(1, 0), oldPodNotReady: true },
  { name: '0/1 ×3, one old pod not Ready', replicas: 3, strategy: rolling(0, 1), oldPodNotReady: true },
  { name: '1/0 ×3, preStop sleep 3', replicas: 3, strategy: rolling(1, 0), preStop: { sleep: 3 } },
  { name: '1/0 ×3, preStop exec sleep 3', replicas: 3, strategy: rolling(1, 0), preStop: { exec: 3 } },
];

const unavailable = clusterUnavailableReason();
if (unavailable) {
  console.error(`no cluster here: ${unavailable}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'zerodrop-differential-'));
const rows: Differential[] = [];
const clusterDir = clusterArg ?? join(dir, 'cluster');
try {
  const cluster = await startCluster({ dir: clusterDir });
  const cases = MATRIX.filter((c) => only === undefined || c.name.includes(only));
  for (const [i, c] of cases.entries()) {
    const d = await differential(c, `case-${i + 1}`, cluster, {
      app: { command: [process.execPath, app], cwd: repo },
      dir,
      onLog: (line) => console.error(line),
    });
    rows.push(d);
    console.error(
      `${c.name}: ${d.differences.length ? d.differences.join('; ') : 'agree'} (drops model ${d.model.result.requests.failed}, real ${d.real.result.requests.failed})`,
    );
  }
} finally {
  if (!clusterArg) await stopCluster(clusterDir);
  rmSync(dir, { recursive: true, force: true });
}

if (jsonOut) {
  writeFileSync(
    jsonOut,
    JSON.stringify(
      rows.map((d) => ({
        case: d.case,
        differences: d.differences,
        model: { shape: d.model.shape, requests: d.model.result.requests, outcome: d.model.result.outcome },
        real: { shape: d.real.shape, requests: d.real.result.requests, outcome: d.real.result.outcome },
      })),
      null,
      2,
    ),
  );
}

const surge = (d: Differential['model']) => `${d.shape.maxSurge}/${d.shape.maxUnavailable}`;
console.log(
  '| case | model steps | real steps | surge/unavailable seen, model · real | agree? | drops model · real (of requests) |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const d of rows) {
  const m = d.model;
  const r = d.real;
  console.log(
    `| ${d.case.name} | ${stepsText(m.shape.steps)} | ${stepsText(r.shape.steps)} | ${surge(m)} · ${surge(r)} | ${d.differences.length ? 'no' : 'yes'} | ${m.result.requests.failed} / ${m.result.requests.total.toLocaleString('en-US')} · ${r.result.requests.failed} / ${r.result.requests.total.toLocaleString('en-US')} |`,
  );
}
