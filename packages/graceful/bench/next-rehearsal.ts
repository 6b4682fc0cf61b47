// The Next.js rehearsal matrix: examples/next-frontend rolled over by `zerodrop rehearse` (3 replicas, its k8s/
// manifests: preStop sleep 10, grace 45, maxSurge 1 / maxUnavailable 0), as it ships ("plain": probes on Next's own
// /api/healthz) and with the preload (NODE_OPTIONS=--import @zerodrop/graceful/register), for `next start` and the
// standalone server.js, behind kube-proxy, ingress-nginx and a GKE NEG load balancer.
// --no-prestop: the same without the preStop hook (the preload then drains 6 s in-app, ZERODROP_DRAIN_DELAY_MS).
// Usage: node packages/graceful/dist/bench/next-rehearsal.js [--runs 3] [--speed 4] [--rate 100] [--no-prestop]
//        [--only standalone,kube-proxy] [--json out.json]
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

type Server = 'next start' | 'standalone';
interface Rehearsal {
  requests: { total: number; failed: number; byKind: Record<string, number> };
  rollout: { durationMs: number; completed: boolean };
  pods: { name: string; revision: string; exitCode?: number | null; signal?: string | null }[];
}
interface RehearseOptions {
  server: Server;
  preload: boolean;
  profile: string;
  preStop: boolean;
  speed: number;
  rate: number;
  quiet: boolean;
}

const script = fileURLToPath(new URL('../../../../examples/next-frontend/scripts/rehearse.mjs', import.meta.url));
const { rehearseNext, failureKinds, oldPodExits } = (await import(pathToFileURL(script).href)) as {
  rehearseNext: (options: RehearseOptions) => Promise<Rehearsal>;
  failureKinds: (result: Rehearsal) => string;
  oldPodExits: (result: Rehearsal) => string;
};

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    speed: { type: 'string', default: '4' },
    rate: { type: 'string', default: '100' },
    only: { type: 'string' },
    json: { type: 'string' },
    'no-prestop': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const only = values.only?.split(',');
const servers: Server[] = ['next start', 'standalone'];
const profiles = ['kube-proxy', 'ingress-nginx', 'gke-neg'];

interface Run {
  failed: number;
  total: number;
  kinds: string;
  oldExits: string;
  rolloutMs: number;
  completed: boolean;
}
const cells: { server: Server; mode: string; profile: string; runs: Run[] }[] = [];
for (const server of servers) {
  for (const profile of profiles) {
    for (const preload of [false, true]) {
      const mode = preload ? 'preload' : 'plain';
      if (only && !only.every((o) => [server, profile, mode].includes(o))) continue;
      const cell = { server, mode, profile, runs: [] as Run[] };
      cells.push(cell);
      for (let i = 0; i < runs; i++) {
        const options = {
          server,
          preload,
          profile,
          preStop: !values['no-prestop'],
          speed: Number(values.speed),
          rate: Number(values.rate),
          quiet: true,
        };
        const result = await rehearseNext(options);
        const run: Run = {
          failed: result.requests.failed,
          total: result.requests.total,
          kinds: failureKinds(result),
          oldExits: oldPodExits(result),
          rolloutMs: result.rollout.durationMs,
          completed: result.rollout.completed,
        };
        cell.runs.push(run);
        console.error(
          `${server} | ${profile} | ${mode} | run ${i + 1}/${runs}: ${run.failed} of ${run.total} failed (${run.kinds}); ` +
            `old pods ${run.oldExits}; rollout ${(run.rolloutMs / 1000).toFixed(1)} s${run.completed ? '' : ' STALLED'}`,
        );
      }
    }
  }
}

const lines = [
  '| server | load balancer | variant | failed requests per rollout | requests per rollout | old pods exit | rollout (wall, s) |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...cells.map((c) => {
    const failed = c.runs.map((r) => r.failed).join(', ');
    const kinds = [...new Set(c.runs.map((r) => r.kinds).filter((k) => k !== '–'))].join('; ');
    const totals = c.runs.map((r) => r.total);
    const seconds = c.runs.map((r) => (r.rolloutMs / 1000).toFixed(1));
    return (
      `| ${c.server} | ${c.profile} | ${c.mode === 'preload' ? '**preload**' : 'plain'} | ${failed}${kinds ? ` (${kinds})` : ''} | ` +
      `${Math.min(...totals)}–${Math.max(...totals)} | ${[...new Set(c.runs.map((r) => r.oldExits))].join(', ')} | ${seconds.join(', ')} |`
    );
  }),
];
console.log(lines.join('\n'));
if (values.json) writeFileSync(values.json, JSON.stringify(cells, null, 2));
