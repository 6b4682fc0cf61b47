#!/usr/bin/env node
// Measures what a newcomer meets: `npm ci && npm run demo` in fresh clones of the current commit, with busy loops
// hogging the CPU beside them. Usage: node scripts/demo-under-load.mjs [--runs 10] [--hogs 2]
// Prints one line per run and a Markdown table for the README. Every clone is removed afterwards, and the hogs
// are stopped, whatever happens.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, hogs: { type: 'string', default: '2' } },
});
const runs = Number(values.runs);
const hogCount = Number(values.hogs);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(hogCount) || hogCount < 0) {
  console.error('demo-under-load: --runs and --hogs take whole numbers (runs >= 1)');
  process.exit(2);
}

const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).stdout.trim();
if (dirty) console.error('demo-under-load: note: uncommitted changes are not in the clones; they test the commit only');

const hogs = Array.from({ length: hogCount }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const scratch = [];
const cleanup = () => {
  for (const hog of hogs) hog.kill('SIGKILL');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** Runs a command in `cwd`, its output kept (and its tail shown on failure); resolves to status and seconds. */
function timed(command, args, cwd) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) =>
      resolve({ code, seconds: (performance.now() - started) / 1000, output: output.slice(-20_000) }),
    );
  });
}

const loadavg = () =>
  spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 1).join('') || '?';

console.log(`fresh clones of ${commit.slice(0, 12)}, ${hogCount} CPU hog(s) running beside them, ${runs} run(s)`);
const rows = [];
for (let i = 1; i <= runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-demo-clone-'));
  scratch.push(dir);
  const repo = join(dir, 'zerodrop');
  const clone = spawnSync('git', ['clone', '--quiet', '--no-checkout', root, repo], { encoding: 'utf8' });
  const checkout = clone.status === 0 && spawnSync('git', ['checkout', '--quiet', commit], { cwd: repo }).status === 0;
  if (!checkout) {
    console.error(`run ${i}: could not clone: ${clone.stderr}`);
    process.exit(1);
  }
  const install = await timed('npm', ['ci', '--no-audit', '--no-fund'], repo);
  const demo = install.code === 0 ? await timed('npm', ['run', 'demo'], repo) : undefined;
  const passed = demo?.code === 0;
  const verdict =
    (demo ?? install).output
      .split('\n')
      .filter((l) => /^[✔✖]/.test(l))
      .at(-1) ?? `(${demo ? 'demo' : 'npm ci'} exit ${(demo ?? install).code})`;
  const comparison = demo?.output.match(/^before +\d+.*$|^after +\d+.*$/gm) ?? [];
  rows.push({ i, passed, install: install.seconds, demo: demo?.seconds, load: loadavg(), verdict, comparison });
  console.log(
    `run ${i}: ${passed ? 'PASS' : 'FAIL'}  npm ci ${install.seconds.toFixed(0)} s, demo ${demo ? `${demo.seconds.toFixed(0)} s` : '–'}, load ${loadavg()}  ${verdict}`,
  );
  for (const line of comparison) console.log(`         ${line}`);
  if (!passed) console.log((demo ?? install).output.split('\n').slice(-40).join('\n'));
  rmSync(dir, { recursive: true, force: true });
  scratch.splice(scratch.indexOf(dir), 1);
}

const passed = rows.filter((r) => r.passed).length;
console.log(`\n${passed} of ${runs} fresh clones passed \`npm ci && npm run demo\` with ${hogCount} CPU hog(s)\n`);
console.log(
  '| run | result | npm ci | npm run demo | load average after | before: requests / failed / causes | after: requests / failed |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const cells = (prefix) => {
    const line = r.comparison.find((l) => l.startsWith(prefix));
    if (!line) return '–';
    const [, total, failed, , ...causes] = line.trim().split(/\s+/);
    return prefix === 'before' ? `${total} / ${failed} / ${causes.join(' ')}` : `${total} / ${failed}`;
  };
  console.log(
    `| ${r.i} | ${r.passed ? 'pass' : 'FAIL'} | ${r.install.toFixed(0)} s | ${r.demo === undefined ? '–' : `${r.demo.toFixed(0)} s`} | ${r.load} | ${cells('before')} | ${cells('after')} |`,
  );
}
process.exit(passed === runs ? 0 : 1);
