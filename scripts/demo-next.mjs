#!/usr/bin/env node
// `npm run demo:next`: rehearses a rolling update of examples/next-frontend (Next.js 16, standalone server.js, three
// replicas) as a new user first deploys it (no preStop hook) and with the @zerodrop/graceful preload in NODE_OPTIONS
// (its in-app delay, ZERODROP_DRAIN_DELAY_MS=6000, in place of the hook), behind kube-proxy and a GKE NEG load
// balancer, and compares the requests each one dropped. Exit 0 only when the preload dropped none AND the app without
// it dropped some in each setup (otherwise the comparison proves nothing, and the message says why).
// Options: --speed N (default 4), --rate N (requests/s, default 100), --with-prestop (the manifests as shipped, with
// the preStop sleep 10: behind the NEG the hook alone then already holds), --server next-start.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, '.zerodrop-out', 'demo-next');

let values;
try {
  ({ values } = parseArgs({
    options: {
      speed: { type: 'string', default: '4' },
      rate: { type: 'string', default: '100' },
      'with-prestop': { type: 'boolean', default: false },
      server: { type: 'string', default: 'standalone' },
    },
  }));
} catch (error) {
  console.error(`demo:next: ${error.message}; use --speed N, --rate N, --with-prestop, --server standalone|next-start`);
  process.exit(2);
}
for (const name of ['speed', 'rate']) {
  if (!/^\d+(\.\d+)?$/.test(values[name]) || Number(values[name]) <= 0) {
    console.error(`demo:next: --${name} must be a positive number, got "${values[name]}"`);
    process.exit(2);
  }
}
const server = { standalone: 'standalone', 'next-start': 'next start' }[values.server];
if (!server) {
  console.error(`demo:next: --server must be standalone or next-start, got "${values.server}"`);
  process.exit(2);
}

const color = process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const step = (text) => console.log(color ? `\n\u001b[1m▸ ${text}\u001b[22m` : `\n▸ ${text}`);

step('building (tsc -b, then next build when the example changed)');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
if (!existsSync(tsc)) {
  console.error('demo:next: node_modules/.bin/tsc is missing; run `npm ci` first');
  process.exit(2);
}
if (spawnSync(tsc, ['-b'], { cwd: root, stdio: 'inherit' }).status !== 0) {
  console.error('demo:next: the TypeScript build failed (see above)');
  process.exit(1);
}
const { ensureBuilt } = await import('../examples/next-frontend/scripts/build.mjs');
const { rehearseNext, failureKinds, oldPodExits } = await import('../examples/next-frontend/scripts/rehearse.mjs');
try {
  await ensureBuilt({ log: console.log });
} catch (error) {
  console.error(`demo:next: ${error.message}`);
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
const preStop = values['with-prestop'];
console.log(
  `rehearsing 3 replicas of Next.js ${server}, ${values.rate} req/s (the page and a 200 ms API route) over 16 ` +
    `keep-alive connections, Kubernetes time ×${values.speed}; examples/next-frontend/k8s/` +
    (preStop
      ? ' as shipped (preStop sleep 10, grace 45)'
      : ' without its preStop hook, as a first deployment has none'),
);

const rows = [];
for (const profile of ['kube-proxy', 'gke-neg']) {
  for (const preload of [false, true]) {
    const id = `${profile}-${preload ? 'preload' : 'plain'}`;
    const html = join(outDir, `${id}.html`);
    rmSync(html, { force: true });
    step(
      `${profile}: ${preload ? 'with NODE_OPTIONS=--import @zerodrop/graceful/register' : 'as it ships (probes on /api/healthz, no preload)'}`,
    );
    let result;
    try {
      result = await rehearseNext({
        server,
        preload,
        profile,
        preStop,
        speed: Number(values.speed),
        rate: Number(values.rate),
        json: join(outDir, `${id}.json`),
        html,
      });
    } catch (error) {
      console.error(`demo:next: the rehearsal "${id}" failed: ${error.message}`);
      process.exit(1);
    }
    rows.push({ profile, preload, result, html: existsSync(html) ? html : undefined });
  }
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

step('comparison');
console.log(
  `${pad('load balancer', 14)} ${pad('variant', 8)} ${lpad('requests', 9)} ${lpad('failed', 7)}  ${pad('old pods', 9)} failures by kind`,
);
for (const { profile, preload, result } of rows) {
  console.log(
    `${pad(profile, 14)} ${pad(preload ? 'preload' : 'plain', 8)} ${lpad(result.requests.total, 9)} ` +
      `${lpad(result.requests.failed, 7)}  ${pad(oldPodExits(result), 9)} ${failureKinds(result)}`,
  );
}
console.log('\nHTML reports (open in a browser):');
for (const { profile, preload, html } of rows) {
  console.log(
    `  ${pad(`${profile} ${preload ? 'preload' : 'plain'}`, 22)} ${html ? relative(process.cwd(), html) : '(not written)'}`,
  );
}

const problems = [];
for (const { profile, preload, result } of rows) {
  const name = `${profile} ${preload ? 'with the preload' : 'without the preload'}`;
  if (result.requests.total === 0) problems.push(`${name} sent no requests`);
  if (!result.rollout.completed) problems.push(`the rollout ${name} did not complete`);
  if (preload && result.requests.failed > 0) problems.push(`${name} dropped ${result.requests.failed} request(s)`);
  if (!preload && result.requests.failed === 0) {
    problems.push(
      `${name} dropped nothing, so this run does not show the difference there (a machine too slow or too fast for ` +
        `the timing? try --rate 200${preStop ? ', or without --with-prestop' : ''})`,
    );
  }
}
if (problems.length > 0) {
  console.log(`\n✖ ${problems.join('; ')}`);
  process.exit(1);
}
const dropped = rows.filter((r) => !r.preload).map((r) => `${r.profile} ${r.result.requests.failed}`);
console.log(
  `\n✔ without the preload: ${dropped.join(', ')} requests dropped; with it: 0 in both. Same image, no code: ` +
    `NODE_OPTIONS${preStop ? '' : ' and ZERODROP_DRAIN_DELAY_MS'} in the environment.`,
);
