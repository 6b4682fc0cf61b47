/**
 * Warm `cluster start` to Ready, and the memory of the control plane: `node dist/bench/start.js [runs]`.
 * Starts and stops a cluster `runs` times (default 5) in a temp folder with the binaries already built, then, on a
 * last start, reads each component's resident memory idle and with a 4-replica Deployment behind a NodePort.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, stopCluster } from '../src/index.js';

const runs = Number(process.argv[2] ?? 5);
const dir = join(mkdtempSync(join(tmpdir(), 'zerodrop-bench-start-')), 'cluster');

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

const times: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const cluster = await startCluster({ dir });
    times.push(cluster.state.startMs ?? 0);
    await stopCluster(dir);
  }
  const cluster = await startCluster({ dir });
  await new Promise((r) => setTimeout(r, 5000));
  const idle = Object.fromEntries(cluster.state.processes.map((p) => [p.name, rssMb(p.pid)]));
  const app = `require('http').createServer((q, s) => s.end('ok')).listen(8080)`;
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: { name: bench }
spec:
  replicas: 4
  selector: { matchLabels: { app: bench } }
  template:
    metadata: { labels: { app: bench } }
    spec:
      containers:
      - name: app
        image: bench:1
        command: [node, -e, "${app}"]
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: bench }
spec: { type: NodePort, selector: { app: bench }, ports: [{ port: 80, targetPort: 8080 }] }
`;
  const kubectl = (args: string[], input = '') =>
    spawnSync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], { input, encoding: 'utf8' });
  kubectl(['apply', '-f', '-'], manifest);
  const rollout = performance.now();
  kubectl(['rollout', 'status', 'deployment/bench', '--timeout=120s']);
  const firstRollout = Math.round(performance.now() - rollout);
  const restart = performance.now();
  kubectl(['rollout', 'restart', 'deployment/bench']);
  kubectl(['rollout', 'status', 'deployment/bench', '--timeout=120s']);
  const restartMs = Math.round(performance.now() - restart);
  await new Promise((r) => setTimeout(r, 5000));
  const loaded = Object.fromEntries(cluster.state.processes.map((p) => [p.name, rssMb(p.pid)]));
  const sorted = [...times].sort((a, b) => a - b);
  const controlPlane = (rss: Record<string, number>) =>
    Object.entries(rss)
      .filter(([name]) => name !== 'node-agent' && name !== 'kube-proxy')
      .reduce((a, [, mb]) => a + mb, 0);
  console.log(
    JSON.stringify(
      {
        startToReadyMs: {
          runs: times,
          median: sorted[Math.floor(sorted.length / 2)],
          min: sorted[0],
          max: sorted.at(-1),
        },
        rssMb: {
          idle,
          controlPlaneIdle: controlPlane(idle),
          withFourReplicas: loaded,
          controlPlaneLoaded: controlPlane(loaded),
        },
        deployment4ReplicasReadyMs: firstRollout,
        rolloutRestart4ReplicasMs: restartMs,
      },
      null,
      2,
    ),
  );
} finally {
  await stopCluster(dir);
  rmSync(join(dir, '..'), { recursive: true, force: true });
}
