import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from './fixtures.js';

/** packages/cli, from dist/test/support. */
const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(packageRoot, 'bin', 'zerodrop.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI like a user would. */
export function zerodrop(args: string[], options: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): Run {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temp folder with the FIXTURES files (no .zerodrop.yaml above it), so fix can write. */
export function fixtureCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-cli-'));
  // The test file's process owns the folder: it goes when the process ends, whatever the tests did.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(FIXTURES)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}
