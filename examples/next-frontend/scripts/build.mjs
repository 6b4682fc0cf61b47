#!/usr/bin/env node
// Builds the example with `next build` when the build is missing or older than its sources, and says where the
// standalone server is. Shared by the tests, the rehearsal demo and the benchmark, so a run builds it once (about
// 10 s on 2 cores). `node examples/next-frontend/scripts/build.mjs` builds it from the command line.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(exampleDir, '..', '..');
/** The `next` CLI as npm installs it (the workspace hoists it to the repository root). */
export const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
/** The standalone output mirrors the repository layout under .next/standalone (outputFileTracingRoot). */
export const standaloneServer = join(exampleDir, '.next', 'standalone', 'examples', 'next-frontend', 'server.js');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** True when the standalone server exists and is newer than every source of the app. */
export function isBuilt() {
  if (!existsSync(standaloneServer) || !existsSync(join(exampleDir, '.next', 'BUILD_ID'))) return false;
  const sources = ['app', 'next.config.mjs', 'package.json'].map((p) => newest(join(exampleDir, p)));
  return statSync(standaloneServer).mtimeMs > Math.max(...sources);
}

/** `next build` unless the build is fresh. Rejects with the build's output when it fails. */
export async function ensureBuilt({ log = () => {} } = {}) {
  if (isBuilt()) return { exampleDir, nextBin, standaloneServer, built: false };
  if (!existsSync(nextBin)) throw new Error(`next is not installed (${nextBin}); run npm ci at the repository root`);
  log('building examples/next-frontend (next build)…');
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  delete env.NODE_OPTIONS; // a preload in the environment is for the server, not for the build
  const child = spawn(process.execPath, [nextBin, 'build'], {
    cwd: exampleDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output}`);
  return { exampleDir, nextBin, standaloneServer, built: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureBuilt({ log: console.log }).then(
    (r) => console.log(r.built ? `built: ${r.standaloneServer}` : `up to date: ${r.standaloneServer}`),
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
