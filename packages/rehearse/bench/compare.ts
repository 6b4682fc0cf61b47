/**
 * The shutdown strategies of bench/strategies/*.mjs, rehearsed the same way: a rolling update of 2 replicas under
 * the same load, through the L4 (kube-proxy) and the L7 (ingress-nginx) consumer, with and without a preStop sleep,
 * several runs each. Writes docs/comparison.md (failed requests: median and worst; exit latency after SIGTERM).
 *
 *   npm run compare                      (from the repository root; builds first)
 *   node packages/rehearse/dist/bench/compare.js --runs 5 --speed 10 --only none,zerodrop --out /tmp/c.md
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getProfile, type ProfileId, resolveProbe } from '@zerodrop/core';
import { rehearse } from '../src/rehearsal.js';
import { FAILURE_KINDS, type PodRecord, type RehearsalResult } from '../src/result.js';
import { defaultSettings } from '../src/settings.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

const STRATEGIES: { id: string; label: string }[] = [
  { id: 'none', label: 'plain app (no handler)' },
  { id: 'close-idle-cap', label: 'server.close + closeIdleConnections + 10 s cap' },
  { id: 'terminus', label: '@godaddy/terminus' },
  { id: 'lightship', label: 'lightship' },
  { id: 'http-terminator', label: 'http-terminator' },
  { id: 'stoppable', label: 'stoppable' },
  { id: 'close-with-grace', label: 'close-with-grace' },
  { id: 'http-graceful-shutdown', label: 'http-graceful-shutdown' },
  { id: 'zerodrop', label: '@zerodrop/graceful' },
];

interface Config {
  profile: ProfileId;
  consumer: string;
  preStopSeconds: number;
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    speed: { type: 'string', default: '10' },
    rate: { type: 'string', default: '400' },
    connections: { type: 'string', default: '32' },
    prestop: { type: 'string', default: '5' },
    grace: { type: 'string', default: '30' },
    only: { type: 'string' },
    out: { type: 'string', default: `${root}docs/comparison.md` },
  },
});
const runs = Number(values.runs);
const speed = Number(values.speed);
const preStop = Number(values.prestop);
const grace = Number(values.grace);
const only = values.only?.split(',');
const strategies = STRATEGIES.filter((s) => !only || only.includes(s.id));
const configs: Config[] = [
  { profile: 'kube-proxy', consumer: 'L4 (kube-proxy)', preStopSeconds: 0 },
  { profile: 'kube-proxy', consumer: 'L4 (kube-proxy)', preStopSeconds: preStop },
  { profile: 'ingress-nginx', consumer: 'L7 (ingress-nginx)', preStopSeconds: 0 },
  { profile: 'ingress-nginx', consumer: 'L7 (ingress-nginx)', preStopSeconds: preStop },
];

/** Wall-clock ms from the stop signal to the process being gone, and whether SIGKILL ended it. */
function exitAfterSignal(pod: PodRecord): { ms: number; killed: boolean } | undefined {
  const signal = pod.events.find((e) => e.state === 'stop-signal');
  const end = pod.events.find((e) => e.state === 'exited' || e.state === 'killed');
  if (!signal || !end) return undefined;
  return { ms: end.atMs - signal.atMs, killed: end.state === 'killed' };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

interface Cell {
  failed: number[];
  kinds: Record<string, number>;
  exits: { ms: number; killed: boolean }[];
  errors: string[];
}

async function runOne(strategy: string, config: Config): Promise<RehearsalResult> {
  const settings = defaultSettings(
    [process.execPath, `${root}bench/strategies/${strategy}.mjs`],
    getProfile(config.profile),
    {
      replicas: 2,
      speed,
      warmupMs: 500,
      settleMs: 500,
      propagation: 'random',
      env: { ZERODROP_LOG: 'off' },
    },
  );
  settings.pod.readiness = resolveProbe({ httpGet: { path: '/health/ready' }, periodSeconds: 1, failureThreshold: 1 });
  settings.pod.gracePeriodSeconds = grace;
  if (config.preStopSeconds > 0) settings.pod.preStop = { type: 'sleep', seconds: config.preStopSeconds };
  settings.load = {
    rate: Number(values.rate),
    connections: Number(values.connections),
    path: '/',
    mix: [{ path: '/slow?ms=200', share: 0.2 }],
    timeoutMs: 5000,
    retries: 0,
  };
  return rehearse(settings);
}

const cells = new Map<string, Cell>();
const key = (s: string, c: Config) => `${s}|${c.profile}|${c.preStopSeconds}`;
const started = Date.now();
for (let run = 0; run < runs; run++) {
  for (const config of configs) {
    for (const strategy of strategies) {
      const result = await runOne(strategy.id, config);
      const cell = cells.get(key(strategy.id, config)) ?? { failed: [], kinds: {}, exits: [], errors: [] };
      cells.set(key(strategy.id, config), cell);
      if (result.outcome?.status !== 'completed') {
        cell.errors.push(result.outcome?.message?.split('\n')[0] ?? 'did not complete');
        continue;
      }
      cell.failed.push(result.requests.failed);
      for (const kind of FAILURE_KINDS) cell.kinds[kind] = (cell.kinds[kind] ?? 0) + result.requests.byKind[kind];
      for (const pod of result.pods.filter((p) => p.revision === 'old')) {
        const exit = exitAfterSignal(pod);
        if (exit) cell.exits.push(exit);
      }
      process.stderr.write(
        `run ${run + 1}/${runs} ${config.consumer} preStop ${config.preStopSeconds}s ${strategy.id}: ${result.requests.failed}/${result.requests.total} failed\n`,
      );
    }
  }
}
const elapsed = Math.round((Date.now() - started) / 1000);

function failedCell(cell: Cell | undefined): string {
  if (!cell || cell.failed.length === 0) return cell?.errors[0] ? `could not run: ${cell.errors[0]}` : '-';
  const worst = Math.max(...cell.failed);
  const kinds = Object.entries(cell.kinds)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => k)
    .slice(0, 2);
  return `${median(cell.failed)} / ${worst}${kinds.length ? ` (${kinds.join(', ')})` : ''}`;
}

function exitCell(cell: Cell | undefined): string {
  if (!cell || cell.exits.length === 0) return '-';
  const killed = cell.exits.filter((e) => e.killed).length;
  const ms = median(cell.exits.map((e) => e.ms));
  const when = ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
  return killed > 0 ? `${when} (SIGKILL ${killed}/${cell.exits.length})` : when;
}

const header = `| strategy | ${configs.map((c) => `${c.consumer}, ${c.preStopSeconds ? `preStop sleep ${c.preStopSeconds}s` : 'no preStop'}`).join(' | ')} |`;
const rule = `| --- | ${configs.map(() => '---').join(' | ')} |`;
const lines = [
  '# Shutdown strategies in a rehearsed rolling update',
  '',
  'Generated by `npm run compare` (packages/rehearse/bench/compare.ts); do not edit by hand.',
  '',
  `Each cell: ${runs} rehearsals of a rolling update of 2 replicas of \`bench/strategies/<name>.mjs\` (maxSurge 1,`,
  `maxUnavailable 0, readiness httpGet /health/ready every 1 s, terminationGracePeriodSeconds ${grace}) under ${values.rate} req/s`,
  `over ${values.connections} keep-alive clients, 20% of them \`/slow?ms=200\`, no client retries, with every Kubernetes duration`,
  `divided by --speed ${speed} (kube-proxy learns endpoint changes after 1-2 s, ingress-nginx after 1.5-4.3 s, drawn per`,
  `change, then divided too). The apps' own timers are NOT divided (only @zerodrop/graceful reads ZERODROP_SPEED): a`,
  `strategy that waits 10 s of wall clock outlives the grace period here (${(grace / speed).toFixed(1)} s of wall clock) and is SIGKILLed.`,
  '',
  `Measured on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPU(s), ${elapsed} s in all.`,
  '',
  '## Failed requests per rollout: median / worst (most frequent kinds)',
  '',
  header,
  rule,
  ...strategies.map((s) => `| ${s.label} | ${configs.map((c) => failedCell(cells.get(key(s.id, c)))).join(' | ')} |`),
  '',
  '## Exit after the stop signal (median, wall clock)',
  '',
  header,
  rule,
  ...strategies.map((s) => `| ${s.label} | ${configs.map((c) => exitCell(cells.get(key(s.id, c)))).join(' | ')} |`),
  '',
  'Kinds: reset = connection reset or closed mid-request; refused = nothing accepted the connection or no endpoint;',
  'http5xx = a 5xx answer (the L7 proxy answers 502 when the pod fails it); killed = in flight at SIGKILL.',
  '',
];
writeFileSync(values.out, lines.join('\n'));
process.stderr.write(`wrote ${values.out} in ${elapsed} s\n`);
