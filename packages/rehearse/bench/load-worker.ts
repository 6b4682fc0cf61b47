/**
 * Runs the rehearsal's load generator in a worker thread, so a benchmark measures the proxies and not the client
 * sharing their event loop. Posts { total, failed, p50, p99, seconds } when done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LoadGenerator } from '../src/load.js';
import { percentile } from '../src/recorder.js';

export interface LoadJob {
  port: number;
  rate: number;
  connections: number;
  seconds: number;
}

export interface LoadReport {
  total: number;
  failed: number;
  p50: number;
  p99: number;
  seconds: number;
}

const job = workerData as LoadJob;
const latencies: number[] = [];
let failed = 0;
const load = new LoadGenerator(
  job.port,
  { rate: job.rate, connections: job.connections, path: '/', mix: [], timeoutMs: 5000, retries: 0 },
  (r) => {
    if (r.outcome === 'ok') latencies.push(r.end - r.start);
    else failed++;
  },
);
const started = performance.now();
load.start();
setTimeout(async () => {
  await load.stop();
  const sorted = Float64Array.from(latencies).sort();
  const report: LoadReport = {
    total: latencies.length + failed,
    failed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    seconds: (performance.now() - started) / 1000,
  };
  parentPort?.postMessage(report);
}, job.seconds * 1000);
