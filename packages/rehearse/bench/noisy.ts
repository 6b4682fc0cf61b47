/**
 * Does an app that prints a lot distort what the rehearsal measures? The same rehearsal (2 replicas, 200 req/s,
 * --speed 4, a draining app) with a quiet app and with one that writes NOISE_MB megabytes to stdout without a
 * newline while it serves; rounds interleaved, the p50 and p99 latency of successful requests of each.
 *
 *   node packages/rehearse/dist/bench/noisy.js [--rounds 3] [--mb 10]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getProfile } from '@zerodrop/core';
import { rehearse } from '../src/rehearsal.js';
import { defaultReadiness, defaultSettings } from '../src/settings.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, mb: { type: 'string', default: '10' } },
});
const rounds = Number(values.rounds);
const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}.js`, import.meta.url));

async function once(app: 'naive' | 'noisy') {
  const settings = defaultSettings([process.execPath, fixture(app)], getProfile('kube-proxy'), {
    replicas: 2,
    speed: 4,
    warmupMs: 3000,
    settleMs: 1000,
  });
  settings.pod.readiness = defaultReadiness('/health/ready');
  settings.pod.preStop = { type: 'sleep', seconds: 3 };
  settings.env = { NOISE_MB: values.mb as string };
  const result = await rehearse(settings);
  return result.requests.latencyMs;
}

const rows: string[] = ['| app | round | p50 ms | p99 ms |', '| --- | --- | --- | --- |'];
const p50: Record<string, number[]> = { naive: [], noisy: [] };
for (let round = 1; round <= rounds; round++) {
  for (const app of ['naive', 'noisy'] as const) {
    const latency = await once(app);
    p50[app]?.push(latency.p50);
    const label = app === 'naive' ? 'quiet' : `${values.mb} MB to stdout, no newline`;
    rows.push(`| ${label} | ${round} | ${latency.p50} | ${latency.p99} |`);
    process.stderr.write(`${rows.at(-1)}\n`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  [...rows, '', `median p50: quiet ${median(p50.naive ?? [])} ms, noisy ${median(p50.noisy ?? [])} ms`].join('\n'),
);
