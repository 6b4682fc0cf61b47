#!/usr/bin/env node
// The one test command: format/lint check, type-check + build, then every compiled test file under node's runner.
// Usage: npm test [-- <filter substring> ...]   e.g. `npm test -- graceful` runs only files whose path has "graceful".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function findTests(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'fixtures' && name !== 'node_modules') findTests(p, out);
    } else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const biome = join(root, 'node_modules', '.bin', 'biome');
run(biome, ['check', '.']);
run(join(root, 'node_modules', '.bin', 'tsc'), ['-b']);

const files = [];
for (const group of ['packages', 'examples']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const pkg of readdirSync(base)) findTests(join(base, pkg, 'dist', 'test'), files);
}
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('no test files found: the run would prove nothing');
  process.exit(1);
}
const concurrency = process.env.ZERODROP_TEST_CONCURRENCY ?? '2';
// node's runner applies --test-timeout to each file as a whole as well as to each test: the files that drive a real
// control plane run for minutes (one cluster per file), so the bound is one no file reaches unless something hangs.
const r = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', '--test-reporter=spec', ...selected],
  { cwd: root, stdio: 'inherit' },
);
process.exit(r.status ?? 1);
