/**
 * What the rehearsal's own machinery costs: latency added by the L4 and L7 proxies, the request rate they carry,
 * and how long a 4-replica rollout with preStop 10 s and grace 40 s takes at --speed 4.
 *
 *   node packages/rehearse/dist/bench/proxies.js [--seconds 5]
 *
 * The app is a real process (test fixture `naive`); the load runs in a worker thread for the proxy measurements
 * and in the rehearsal's own thread for the rollout (as `zerodrop rehearse` runs it).
 */
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { getProfile } from '@zerodrop/core';
import { L4Proxy } from '../src/consumers/l4.js';
import { L7Proxy } from '../src/consumers/l7.js';
import { Containment } from '../src/containment.js';
import type { Endpoint, EndpointView } from '../src/endpoints.js';
import { ReplicaProcess } from '../src/process.js';
import { rehearse } from '../src/rehearsal.js';
import { defaultReadiness, defaultSettings } from '../src/settings.js';
import type { LoadJob, LoadReport } from './load-worker.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
const seconds = Number(values.seconds);
const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}.js`, import.meta.url));

function runLoad(job: LoadJob): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: job });
    worker.once('message', (report: LoadReport) => {
      void worker.terminate();
      resolve(report);
    });
    worker.once('error', reject);
  });
}

async function waitListening(port: number): Promise<void> {
  const { tcpCheck } = await import('../src/probe.js');
  for (let i = 0; i < 200; i++) {
    if (await tcpCheck(port, 200)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the app did not listen on ${port}`);
}

class FixedView extends EventEmitter implements EndpointView {
  constructor(readonly endpoints: Endpoint[]) {
    super();
  }
}

const appPort = 20000 + Math.floor(Math.random() * 10000);
const containment = new Containment();
const app = new ReplicaProcess(
  [process.execPath, fixture('naive')],
  { PORT: String(appPort) },
  { containment, name: 'app' },
);
await app.started;
await waitListening(appPort);
const view = new FixedView([{ pod: 'app', port: appPort, ready: true, serving: true, terminating: false }]);
const l4 = new L4Proxy(view);
const l7 = new L7Proxy(view);
const targets = { direct: appPort, l4: await l4.listen(), l7: await l7.listen() };

const rows: string[] = [];
const line = (what: string, r: LoadReport, rate: number) =>
  `| ${what} | ${rate} | ${Math.round(r.total / r.seconds)} | ${r.failed} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`;
rows.push(
  '| path | offered req/s | carried req/s | failed | p50 ms | p99 ms |',
  '| --- | --- | --- | --- | --- | --- |',
);
const p50: Record<string, number> = {};
for (const rate of [1000, 5000, 7000]) {
  for (const [name, port] of Object.entries(targets)) {
    const r = await runLoad({ port, rate, connections: 32, seconds });
    if (rate === 1000) p50[name] = r.p50;
    rows.push(line(`${name === 'direct' ? 'app directly' : `through the ${name.toUpperCase()} proxy`}`, r, rate));
    process.stderr.write(`${rows.at(-1)}\n`);
  }
}
await Promise.all([l4.close(), l7.close()]);
app.kill();
containment.dispose();

// A 4-replica rollout, preStop 10 s, grace 40 s, at --speed 4, behind kube-proxy.
const settings = defaultSettings([process.execPath, fixture('draining')], getProfile('kube-proxy'), {
  replicas: 4,
  speed: 4,
});
settings.pod.readiness = defaultReadiness('/health/ready');
settings.pod.preStop = { type: 'sleep', seconds: 10 };
settings.pod.gracePeriodSeconds = 40;
settings.load.rate = 500;
settings.load.connections = 32;
const result = await rehearse(settings);
const summary = [
  '',
  `added p50 latency at 1,000 req/s: L4 ${(p50.l4! - p50.direct!).toFixed(2)} ms, L7 ${(p50.l7! - p50.direct!).toFixed(2)} ms`,
  `4-replica rollout, preStop 10 s, grace 40 s, --speed 4: ${(result.durationMs / 1000).toFixed(1)} s in all (rollout ${(result.rollout.durationMs / 1000).toFixed(1)} s), ${result.requests.total} requests, ${result.requests.failed} failed`,
];
console.log([...rows, ...summary].join('\n'));
