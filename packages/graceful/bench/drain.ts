// The drain benchmark: one replica swapped behind an L4 proxy that pins keep-alive connections, under load.
// Usage: node packages/graceful/dist/bench/drain.js [--runs 10] [--peer-runs 3] [--only zerodrop,terminus]
//        [--rate 1050] [--clients 32] [--json out.json]

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sleep, startApp } from '../test/support/child.js';
import { L4Proxy } from '../test/support/l4-proxy.js';
import { Load } from '../test/support/load.js';

const strategiesDir = fileURLToPath(new URL('../../../../bench/strategies/', import.meta.url));

/** The DESIGN.md scenario. */
const PROPAGATION_MS = 1000;
const PRESTOP_MS = 2000;
const WARMUP_MS = 1500;
const KILL_AFTER_MS = 15_000;
const TOKEN = 'bench-token';
const debug = (what: string) => {
  if (process.env.BENCH_DEBUG) console.error(`${new Date().toISOString()} ${what}`);
};

interface Variant {
  label: string;
  strategy: string;
  /** How the kubelet reaches the app: a preStop httpGet to the app (held for the drain delay) or a preStop sleep. */
  preStop: 'httpGet' | 'sleep' | 'none';
  env?: Record<string, string>;
  /** Node flags before the script (the preload). */
  nodeArgs?: string[];
  zerodrop?: boolean;
  /** Also selected by `--only <key>`. */
  key?: string;
}

/** The zero-code preload on the `none` app (no handler, no library): same drain engine, attached from outside. */
const PRELOAD = ['--import', '@zerodrop/graceful/register'];

const variants: Variant[] = [
  {
    label: '@zerodrop/graceful, preStop httpGet /health/prestop (drainDelay 2 s)',
    strategy: 'zerodrop',
    preStop: 'httpGet',
    env: { ZERODROP_DRAIN_DELAY_MS: String(PRESTOP_MS), ZERODROP_PRESTOP_TOKEN: TOKEN },
    zerodrop: true,
  },
  {
    label: '@zerodrop/graceful, preStop sleep 2 s, drainDelay 0',
    strategy: 'zerodrop',
    preStop: 'sleep',
    env: { ZERODROP_DRAIN_DELAY_MS: '0' },
    zerodrop: true,
  },
  {
    label: '@zerodrop/graceful, no preStop, drainDelay 2 s (SIGTERM at t0)',
    strategy: 'zerodrop',
    preStop: 'none',
    env: { ZERODROP_DRAIN_DELAY_MS: String(PRESTOP_MS) },
    zerodrop: true,
  },
  {
    label: '@zerodrop/graceful/register preload (no code), preStop httpGet /health/prestop (drainDelay 2 s)',
    strategy: 'none',
    nodeArgs: PRELOAD,
    preStop: 'httpGet',
    env: { ZERODROP_DRAIN_DELAY_MS: String(PRESTOP_MS), ZERODROP_PRESTOP_TOKEN: TOKEN },
    zerodrop: true,
    key: 'preload',
  },
  {
    label: '@zerodrop/graceful/register preload (no code), preStop sleep 2 s, drainDelay 0',
    strategy: 'none',
    nodeArgs: PRELOAD,
    preStop: 'sleep',
    env: { ZERODROP_DRAIN_DELAY_MS: '0' },
    zerodrop: true,
    key: 'preload',
  },
  {
    label: '@zerodrop/graceful/register preload (no code), no preStop, drainDelay 2 s (SIGTERM at t0)',
    strategy: 'none',
    nodeArgs: PRELOAD,
    preStop: 'none',
    env: { ZERODROP_DRAIN_DELAY_MS: String(PRESTOP_MS) },
    zerodrop: true,
    key: 'preload',
  },
  ...[
    'terminus',
    'lightship',
    'http-terminator',
    'stoppable',
    'close-with-grace',
    'http-graceful-shutdown',
    'close-idle-cap',
    'server-close',
    'process-exit',
    'none',
  ].map((strategy): Variant => ({ label: strategy, strategy, preStop: 'sleep' })),
];

interface RunResult {
  failed: number;
  sent: number;
  rate: number;
  /** ms from SIGTERM to exit (negative: exited before SIGTERM arrived). */
  exitAfterSigterm: number;
  /** ms from the old replica's last successful response to its exit. */
  exitAfterLastResponse: number | undefined;
  exitCode: number | null;
  killed: boolean;
  errors: Record<string, number>;
}

async function runOnce(variant: Variant, clients: number, rate: number): Promise<RunResult> {
  const script = `${strategiesDir}${variant.strategy}.mjs`;
  const env = { ZERODROP_LOG: 'off', ...variant.env };
  const args = [...(variant.nodeArgs ?? []), script];
  const oldReplica = await startApp(args, { env });
  const newReplica = await startApp(args, { env });
  debug('replicas started');
  const proxy = await L4Proxy.start(oldReplica.port);
  const load = new Load({ port: proxy.port, clients, rate, slowFraction: 0.2, slowMs: 200 }).start();
  try {
    await sleep(WARMUP_MS);
    const t0 = Date.now();
    setTimeout(() => proxy.route(newReplica.port), PROPAGATION_MS);
    let sigtermAt: number;
    if (variant.preStop === 'httpGet') {
      const res = await fetch(`http://127.0.0.1:${oldReplica.port}/health/prestop`, {
        headers: { 'x-zerodrop-prestop-token': TOKEN },
      });
      await res.text();
      if (res.status !== 200) throw new Error(`prestop hook answered ${res.status}`);
      sigtermAt = oldReplica.signal('SIGTERM');
    } else {
      if (variant.preStop === 'sleep') await sleep(PRESTOP_MS - (Date.now() - t0));
      sigtermAt = oldReplica.signal('SIGTERM');
    }
    debug('sigterm sent');
    const killer = setTimeout(() => oldReplica.child.kill('SIGKILL'), KILL_AFTER_MS);
    const exit = await oldReplica.exited;
    clearTimeout(killer);
    debug('old replica exited');
    // Keep the load on the new replica a moment, so late failures of moved clients are counted too.
    await sleep(Math.max(500, PROPAGATION_MS + 500 - (Date.now() - t0)));
    debug('stopping load');
    const result = await load.stop();
    debug('load stopped');
    const last = result.lastResponseAt.get(String(oldReplica.child.pid));
    const errors: Record<string, number> = {};
    for (const f of result.failures) errors[f.error] = (errors[f.error] ?? 0) + 1;
    return {
      failed: result.failed,
      sent: result.sent,
      rate: Math.round((result.sent * 1000) / result.durationMs),
      exitAfterSigterm: exit.at - sigtermAt,
      exitAfterLastResponse: last === undefined ? undefined : exit.at - last,
      exitCode: exit.code,
      killed: exit.signal === 'SIGKILL',
      errors,
    };
  } finally {
    await load.stop();
    await proxy.close();
    await Promise.all([oldReplica.kill(), newReplica.kill()]);
  }
}

function range(values: number[], unit = ''): string {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? `${min}${unit}` : `${min}–${max}${unit}`;
}

function describeExit(runs: RunResult[]): string {
  const codes = [
    ...new Set(runs.map((r) => (r.killed ? 'SIGKILL' : r.exitCode === null ? 'signal' : `exit ${r.exitCode}`))),
  ].join('/');
  return `${range(
    runs.map((r) => Math.max(0, r.exitAfterSigterm)),
    ' ms',
  )} (${codes})`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      'peer-runs': { type: 'string', default: '3' },
      only: { type: 'string' },
      rate: { type: 'string', default: '1050' },
      clients: { type: 'string', default: '32' },
      json: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const peerRuns = Number(values['peer-runs']);
  const rate = Number(values.rate);
  const clients = Number(values.clients);
  const only = values.only?.split(',');
  const selected = variants.filter((v) => !only || only.includes(v.key ?? v.strategy) || only.includes(v.label));
  const rows: string[] = [];
  const all: Record<string, RunResult[]> = {};
  console.error(
    `scenario: ${clients} keep-alive clients, ${rate} req/s, 20% take 200 ms, propagation ${PROPAGATION_MS} ms, SIGTERM at t0+${PRESTOP_MS} ms`,
  );
  for (const variant of selected) {
    const n = variant.zerodrop ? runs : peerRuns;
    const results: RunResult[] = [];
    const problems: string[] = [];
    for (let i = 0; i < n; i++) {
      let r: RunResult;
      try {
        r = await runOnce(variant, clients, rate);
      } catch (error) {
        problems.push((error as Error).message.split('\n')[0]!);
        console.error(`${variant.label} run ${i + 1}/${n} could not run: ${(error as Error).message}`);
        continue;
      }
      results.push(r);
      console.error(
        `${variant.label} run ${i + 1}/${n}: failed ${r.failed}/${r.sent} (${r.rate} req/s), exit ${r.exitAfterSigterm} ms after SIGTERM` +
          (r.exitAfterLastResponse === undefined ? '' : `, ${r.exitAfterLastResponse} ms after its last response`) +
          ` code ${r.exitCode}${r.killed ? ' (SIGKILL)' : ''} ${JSON.stringify(r.errors)}`,
      );
    }
    all[variant.label] = results;
    if (results.length === 0) {
      rows.push(`| ${variant.label} | could not run: ${problems[0]} | | | | |`);
      continue;
    }
    const zeroRuns = results.filter((r) => r.failed === 0).length;
    const lastResp = results.map((r) => r.exitAfterLastResponse).filter((v): v is number => v !== undefined);
    rows.push(
      `| ${variant.label} | ${range(results.map((r) => r.failed))} | ${zeroRuns}/${results.length} | ${describeExit(results)} | ${lastResp.length ? range(lastResp, ' ms') : 'n/a'} | ${range(results.map((r) => r.rate))} |`,
    );
  }
  const table = [
    '| strategy | failed requests (min–max) | runs with 0 failed | exit after SIGTERM | exit after its last response | load (req/s) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  console.log(table);
  if (values.json) writeFileSync(values.json, JSON.stringify(all, null, 2));
}

// Ctrl-C: test/support/child.ts kills the replicas on the way out.
await main();
