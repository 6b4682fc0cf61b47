import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './support/cli.js';

const bin = fileURLToPath(new URL('../../bin/zerodrop.js', import.meta.url));
const DEPLOYMENTS = 500;
let dir = '';

/** 500 Deployments over 50 files, each with a handful of findings: a report of well over 1 MB. */
before(() => {
  dir = scratchDir();
  mkdirSync(join(dir, 'k8s'));
  for (let file = 0; file < 50; file++) {
    const docs: string[] = [];
    for (let i = 0; i < DEPLOYMENTS / 50; i++) {
      docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${file}-${i}
spec:
  replicas: 2
  selector: {matchLabels: {app: web-${file}-${i}}}
  template:
    metadata: {labels: {app: web-${file}-${i}}}
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/web:1.2.${i}
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /health, port: 8080}}
          livenessProbe: {httpGet: {path: /health, port: 8080}}
`);
    }
    writeFileSync(join(dir, 'k8s', `web-${file}.yaml`), docs.join('---\n'));
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes a chunk, then sleeps before asking for the next: the writer keeps finding the pipe full. */
async function readSlowly(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    await sleep(5);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs the CLI with stdout piped to a slow reader; stderr is read normally. */
async function runPiped(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stdout = await readSlowly(child.stdout);
  return { code: await exited, stdout, stderr };
}

describe('output reaches a slow reader complete', () => {
  test('lint --format json: a report of more than 1 MB parses, with every finding', async () => {
    const r = await runPiped(['lint', 'k8s', '--format', 'json']);
    assert.ok(r.stdout.length > 1024 * 1024, `a report of ${r.stdout.length} bytes`);
    const report = JSON.parse(r.stdout) as { findings: { file: string }[] };
    assert.equal(new Set(report.findings.map((f) => f.file)).size, 50, 'findings of every file');
    assert.equal(r.code, 1, r.stderr);
  });

  test('lint --format sarif and text: complete (the text report ends with its summary line)', async () => {
    const sarif = await runPiped(['lint', 'k8s', '--format', 'sarif']);
    const log = JSON.parse(sarif.stdout) as { runs: { results: unknown[] }[] };
    assert.ok((log.runs[0]?.results.length ?? 0) > 1000);
    const text = await runPiped(['lint', 'k8s']);
    assert.ok(text.stdout.length > 256 * 1024);
    assert.match(text.stdout, /✖ \d+ problems .*: 500 object\(s\), 500 workload\(s\), 0 Dockerfile\(s\) checked.*\n$/);
  });

  test('fix --dry-run: the diff of every file', async () => {
    const r = await runPiped(['fix', 'k8s', '--dry-run']);
    assert.ok(r.stdout.length > 256 * 1024, `a diff of ${r.stdout.length} bytes`);
    assert.equal((r.stdout.match(/^\+\+\+ b\//gm) ?? []).length, 50);
  });

  test('into a file: the same bytes as through the pipe', async () => {
    const out = join(dir, 'report.json');
    const fd = openSync(out, 'w');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [bin, 'lint', 'k8s', '--format', 'json'], {
        cwd: dir,
        stdio: ['ignore', fd, 'inherit'],
      });
      child.on('close', resolve);
    });
    closeSync(fd);
    assert.equal(code, 1);
    const piped = await runPiped(['lint', 'k8s', '--format', 'json']);
    assert.equal(readFileSync(out, 'utf8'), piped.stdout);
  });

  test('a reader that goes away (`| head -c 100`): a quiet end, no stack trace', async () => {
    const child = spawn(process.execPath, [bin, 'lint', 'k8s', '--format', 'json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout.once('data', () => child.stdout.destroy());
    await new Promise((resolve) => child.on('close', resolve));
    assert.equal(stderr, '');
  });
});
