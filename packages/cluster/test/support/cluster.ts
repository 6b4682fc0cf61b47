import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The test app run as pods (see fixtures/pod-app.ts). */
export const POD_APP = fileURLToPath(new URL('../fixtures/pod-app.js', import.meta.url));

/** The first start may build the binaries: up to 20 minutes on a cold cache. */
export const START_TIMEOUT_MS = 20 * 60_000;

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs DIR/bin/kubectl with DIR/kubeconfig. */
export function kubectl(
  dir: string,
  args: string[],
  input?: string,
): { code: number | null; out: string; err: string } {
  const r = spawnSync(join(dir, 'bin', 'kubectl'), ['--kubeconfig', join(dir, 'kubeconfig'), ...args], {
    input: input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET on a fresh connection; resolves to status and body, or the error code. */
export function get(
  url: string,
  agent: http.Agent | false = false,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

/** Lines `<what> <ms> <pod>` of a marks file. */
export function readMarks(file: string): { what: string; at: number; pod: string }[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [what = '', at = '0', pod = ''] = l.split(' ');
      return { what, at: Number(at), pod };
    });
}
