import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from './fixtures.js';

/** packages/cli, from dist/test/support. */
const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI's entry point, for tests that spawn it themselves. */
export const ZERODROP_BIN = join(packageRoot, 'bin', 'zerodrop.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI like a user would. */
export function zerodrop(
  args: string[],
  options: { cwd: string; input?: string | Buffer; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Run {
  const r = spawnSync(process.execPath, [ZERODROP_BIN, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch: string[] = [];
after(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test file is done. */
export function scratchDir(prefix = 'zerodrop-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A fresh temp folder with the FIXTURES files (no .zerodrop.yaml above it), so fix can write. */
export function fixtureCopy(): string {
  const dir = scratchDir();
  for (const [file, text] of Object.entries(FIXTURES)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/**
 * Runs the built CLI with stdout to a pipe read slowly (a pause after every chunk, as a `| jq` or `| tee` on a busy
 * CI runner), and resolves with everything that came through once the process has exited.
 */
export function zerodropSlowReader(
  args: string[],
  options: { cwd: string; pauseMs?: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ZERODROP_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), options.pauseMs ?? 5);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    let exit: number | null = null;
    let pending = 2;
    const done = () => {
      if (--pending === 0)
        resolve({
          code: exit,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
    };
    child.on('exit', (code) => {
      exit = code;
      done();
    });
    child.stdout.on('end', done);
  });
}

/**
 * The CLI with its stdin written in pieces, a pause after each (as `helm template` writes a large stream). With
 * `streamFirst`, stdin is opened as a stream before the CLI runs (a preload touching process.stdin), which leaves the
 * pipe not blocking.
 */
export function zerodropSlowWriter(
  args: string[],
  pieces: string[],
  options: { cwd: string; streamFirst?: boolean },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const preload = options.streamFirst ? ['--import', 'data:text/javascript,process.stdin.isTTY'] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...preload, ZERODROP_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    const next = (i: number) => {
      if (i === pieces.length) return child.stdin.end();
      child.stdin.write(pieces[i]!, () => setTimeout(() => next(i + 1), 50));
    };
    next(0);
  });
}
