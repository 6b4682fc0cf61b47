#!/usr/bin/env node
// `npm run demo`: rehearses a rolling update of examples/orders-api in its "before" and "after" variants with
// `zerodrop rehearse` and compares the requests each one dropped. Exit 0 only when the after variant dropped none
// (and its pods exited cleanly) AND the before variant dropped some; otherwise the message says which part failed
// and why. Options: --speed N (default 10), --rate N (requests/s, default 200), --replicas N (default 3),
// --connections N (default 16).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, '.zerodrop-out', 'demo');
const cli = join(root, 'packages', 'cli', 'bin', 'zerodrop.js');
const REHEARSAL_LIMIT_MS = 5 * 60_000;
const color = process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

const defaults = { speed: '10', rate: '200', replicas: '3', connections: '16' };
const options = { ...defaults };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const name = argv[i]?.replace(/^--/, '');
  const value = argv[i + 1];
  if (
    !name ||
    !(name in defaults) ||
    !argv[i]?.startsWith('--') ||
    value === undefined ||
    !/^\d+(\.\d+)?$/.test(value)
  ) {
    console.error(
      `demo: unknown or incomplete option "${argv[i]}"; use --speed N, --rate N, --replicas N, --connections N`,
    );
    process.exit(2);
  }
  options[name] = value;
  i++;
}

const variants = [
  {
    id: 'before',
    title: 'before (no preStop, no drain, npm start, one probe)',
    manifest: 'examples/orders-api-before/k8s/deployment.yaml',
    // As the image runs it: through npm.
    command: ['npm', 'start', '--silent', '--prefix', 'examples/orders-api-before'],
  },
  {
    id: 'after',
    title: 'after (preStop sleep, @zerodrop/graceful drain, node as PID 1)',
    manifest: 'examples/orders-api/k8s/deployment.yaml',
    // The drain timings (ZERODROP_*) come from the container env in the manifest.
    command: ['node', 'examples/orders-api/dist/src/server.js'],
  },
];

/**
 * Runs `zerodrop rehearse`, which writes its JSON result when the rehearsal is over (or could not run). A rehearsal
 * takes well under a minute; past the limit it gets Ctrl-C (it stops its replicas and exits), then SIGKILL 15 s later.
 */
function rehearse(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    let stopped;
    let kill;
    const stop = (why) => {
      if (stopped) return;
      stopped = why;
      child.kill('SIGINT');
      kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    };
    const limit = setTimeout(() => stop('timeout'), REHEARSAL_LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      clearTimeout(kill);
      resolve({ code, signal, stopped });
    });
  });
}

function step(text) {
  console.log(color ? `\n\u001b[1m▸ ${text}\u001b[22m` : `\n▸ ${text}`);
}

function fail(message) {
  console.log(`\n✖ ${message}`);
  process.exit(1);
}

step('building (tsc -b, incremental)');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
if (!existsSync(tsc)) {
  console.error('demo: node_modules/.bin/tsc is missing; run `npm ci` first');
  process.exit(2);
}
const build = spawnSync(tsc, ['-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('demo: the TypeScript build failed (see above)');
  process.exit(1);
}
const { verdictOf } = await import(pathToFileURL(join(root, 'packages', 'rehearse', 'dist', 'src', 'index.js')).href);

// What the replicas need is made now, outside every probe's clock: booting the embedded database from nothing
// (initdb) costs seconds of CPU per replica, which on a busy machine is a liveness kill, not the bug on show.
if (!process.env.DATABASE_URL) {
  step('preparing the embedded database (once; later starts boot from its snapshot)');
  const prepared = spawnSync(process.execPath, ['examples/orders-api/dist/src/prepare-database.js'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (prepared.status !== 0) fail('the embedded database could not be prepared (see above)');
}

mkdirSync(outDir, { recursive: true });
const database = process.env.DATABASE_URL ? `Postgres at ${process.env.DATABASE_URL}` : 'embedded PGlite per replica';
console.log(
  `rehearsing ${options.replicas} replicas, ${options.rate} req/s over ${options.connections} keep-alive connections, ` +
    `behind kube-proxy, Kubernetes time ×${options.speed}; database: ${database}`,
);

const results = [];
for (const variant of variants) {
  const json = join(outDir, `${variant.id}.json`);
  const html = join(outDir, `${variant.id}.html`);
  rmSync(json, { force: true });
  rmSync(html, { force: true });
  step(`rehearsing ${variant.title}`);
  const args = [
    cli,
    'rehearse',
    '--manifest',
    variant.manifest,
    '--profile',
    'kube-proxy',
    '--replicas',
    options.replicas,
    '--rate',
    options.rate,
    '--connections',
    options.connections,
    '--speed',
    options.speed,
    // An order lookup: a database round trip on every request (an unknown id, so the answer is a 404).
    '--path',
    '/orders/00000000-0000-4000-8000-000000000000',
    '--json',
    json,
    '--html',
    html,
    '--',
    ...variant.command,
  ];
  const run = await rehearse(args);
  if (run.stopped === 'timeout') {
    fail(`the rehearsal of "${variant.id}" did not finish within ${REHEARSAL_LIMIT_MS / 1000} s; stopped it`);
  }
  if (!existsSync(json)) {
    fail(`the rehearsal of "${variant.id}" wrote no result (exit ${run.code ?? run.signal}); see above`);
  }
  const result = JSON.parse(readFileSync(json, 'utf8'));
  const verdict = verdictOf(result);
  if (verdict.status === 'error' || verdict.status === 'no-measure' || verdict.status === 'aborted') {
    // It never measured: say why, not "it dropped nothing".
    fail(
      `the "${variant.id}" variant could not be rehearsed: ${result.outcome?.message ?? verdict.title}` +
        `\n  report: ${relative(process.cwd(), html)}`,
    );
  }
  results.push({ variant, result, verdict, html: existsSync(html) ? html : undefined });
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const causes = (result) => (result.attribution?.groups ?? []).map((g) => `${g.cause} ${g.count}`).join(', ') || '–';

step('comparison');
console.log(`${pad('variant', 8)} ${lpad('requests', 9)} ${lpad('failed', 7)}  ${pad('rollout', 9)} failures by cause`);
for (const { variant, result } of results) {
  const rollout = result.rollout.completed ? 'complete' : 'STALLED';
  console.log(
    `${pad(variant.id, 8)} ${lpad(result.requests.total, 9)} ${lpad(result.requests.failed, 7)}  ${pad(rollout, 9)} ${causes(result)}`,
  );
}
console.log('\nHTML reports (open in a browser):');
for (const { variant, html } of results) {
  console.log(`  ${pad(variant.id, 7)} ${html ? relative(process.cwd(), html) : '(not written)'}`);
}

const [before, after] = results;
const problems = [];
if (after.result.requests.failed > 0)
  problems.push(`the after variant dropped ${after.result.requests.failed} request(s)`);
if (after.verdict.status === 'unclean') {
  problems.push(`after: ${after.verdict.unclean.map((u) => `${u.pod} ${u.how}`).join('; ')}`);
}
if (!after.result.rollout.completed) problems.push('the rollout of the after variant did not complete');
if (before.result.requests.failed === 0) {
  problems.push(
    `the before variant ran (${before.result.requests.total} requests) and dropped nothing, so this run does not ` +
      'show the difference (timing on this machine; try --rate 400 or --speed 5)',
  );
}
if (problems.length > 0) fail(problems.join('; '));
console.log(
  `\n✔ before: ${before.result.requests.failed} of ${before.result.requests.total} requests dropped; ` +
    `after: 0 of ${after.result.requests.total}. Same app code, different shutdown and manifests.`,
);
