/**
 * NodePort latency while the node agent starts and stops pods: `node dist/bench/nodeport-churn.js [seconds]`.
 * Starts a cluster in a temp folder, puts a 2-replica Deployment behind a NodePort, and sends requests on new
 * connections (4 clients, each waiting 20 ms between requests) through the kube-proxy model: first with nothing else
 * happening, then while another Deployment is scaled from 0 to 4 pods and back twice. Prints the latency percentiles
 * of both phases; a request unanswered after 5 s counts as failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster, stopCluster } from '../src/index.js';

const seconds = Number(process.argv[2] ?? 12);
const dir = join(mkdtempSync(join(tmpdir(), 'zerodrop-bench-churn-')), 'cluster');
const app = fileURLToPath(new URL('../test/fixtures/pod-app.js', import.meta.url));

function deployment(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: app
        image: bench:1
        command: [node, ${JSON.stringify(app)}]
        ports: [{ name: http, containerPort: 8080 }]
        readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 1 }
`;
}

/** Requests on new connections from 4 clients until `until`; the latency of each answered one, and the failures. */
async function measure(url: string, until: number): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const began = performance.now();
      const req = http.get(url, { agent: false, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - began);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        failed++;
        resolve();
      });
    });
  const client = async () => {
    while (Date.now() < until) {
      await one();
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all([client(), client(), client(), client()]);
  return { latencies, failed };
}

function summary(name: string, m: { latencies: number[]; failed: number }): string {
  const sorted = [...m.latencies].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN).toFixed(1);
  return `${name.padEnd(26)} ${String(sorted.length).padStart(6)} ${String(m.failed).padStart(6)} ${at(0.5).padStart(8)} ${at(0.9).padStart(8)} ${at(0.99).padStart(8)} ${at(1).padStart(8)}`;
}

try {
  const cluster = await startCluster({ dir, owner: process.pid });
  const kubectl = (args: string[], input = '') =>
    spawnSync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], { input, encoding: 'utf8' });
  const service = `apiVersion: v1
kind: Service
metadata: { name: web }
spec: { type: NodePort, selector: { app: web }, ports: [{ port: 80, targetPort: http }] }
`;
  kubectl(['apply', '-f', '-'], [deployment('web', 2), service, deployment('churn', 0)].join('---\n'));
  kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  const url = `${await cluster.nodePortUrl('web')}/`;
  await measure(url, Date.now() + 3000); // the proxy has the endpoints; warm
  const quiet = await measure(url, Date.now() + seconds * 1000);
  const churning = measure(url, Date.now() + 4 * 6000 + 2000);
  for (let i = 0; i < 2; i++) {
    kubectl(['scale', 'deployment/churn', '--replicas=4']);
    await new Promise((r) => setTimeout(r, 6000));
    kubectl(['scale', 'deployment/churn', '--replicas=0']);
    await new Promise((r) => setTimeout(r, 6000));
  }
  const churn = await churning;
  console.log(`${'phase'.padEnd(26)} answered failed  p50 ms   p90 ms   p99 ms   max ms`);
  console.log(summary('nothing else happening', quiet));
  console.log(summary('4 pods started, stopped ×2', churn));
} finally {
  await stopCluster(dir);
  rmSync(join(dir, '..'), { recursive: true, force: true });
}
