import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scratchDir, zerodrop } from './support/cli.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../rehearse/dist/test/fixtures/${name}.js`, import.meta.url));
const bin = fileURLToPath(new URL('../../bin/zerodrop.js', import.meta.url));
const dir = scratchDir();
/** Pids of the processes whose command line has the marker (the CLI, the watchdogs, the replicas). */
const withMarker = (m: string) =>
  spawnSync('pgrep', ['-f', '--', m], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
async function waitGone(m: string): Promise<string[]> {
  for (let i = 0; i < 100 && withMarker(m).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return withMarker(m);
}
const marker = () => `--zerodrop-test=${process.pid}-${Math.random().toString(36).slice(2)}`;
const FAST = [
  '--speed',
  '4',
  '--grace',
  '10',
  '--rate',
  '100',
  '--connections',
  '8',
  '--warmup',
  '0.75',
  '--settle',
  '0.75',
];

describe('zerodrop rehearse: arguments', () => {
  test('no command, an unknown profile, a bad number: usage errors, exit 2', () => {
    const none = zerodrop(['rehearse', '--speed', '2'], { cwd: dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no app command: pass it after --/);
    const profile = zerodrop(['rehearse', '--profile', 'haproxy', '--', 'node', 'x.js'], { cwd: dir });
    assert.equal(profile.code, 2);
    assert.match(profile.stderr, /--profile must be one of/);
    const rate = zerodrop(['rehearse', '--rate', 'fast', '--', 'node', 'x.js'], { cwd: dir });
    assert.equal(rate.code, 2);
    assert.match(rate.stderr, /--rate must be a number >= 1, got "fast"/);
    assert.doesNotMatch(rate.stderr, /at .*\.js/, 'no stack trace');
  });

  test('a manifest that cannot be read or has no Deployment: exit 2 naming the file', () => {
    const missing = zerodrop(['rehearse', '--manifest', 'nope.yaml', '--', 'node', 'x.js'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml: cannot read the manifest \(no such file\)/);
    writeFileSync(
      join(dir, 'svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n',
    );
    const noDeployment = zerodrop(['rehearse', '--manifest', 'svc.yaml', '--', 'node', 'x.js'], { cwd: dir });
    assert.equal(noDeployment.code, 2);
    assert.match(noDeployment.stderr, /svc\.yaml: no Deployment found/);
    writeFileSync(join(dir, 'broken.yaml'), 'kind: Deployment\n  bad: [\n');
    const broken = zerodrop(['rehearse', '--manifest', 'broken.yaml', '--', 'node', 'x.js'], { cwd: dir });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.yaml:\d+:\d+: /);
  });
});

describe('zerodrop rehearse: runs', () => {
  test('a naive app: failures shown, exit 1, --json and --html written', () => {
    const json = join(dir, 'naive.json');
    const html = join(dir, 'naive.html');
    const r = zerodrop(
      [
        'rehearse',
        ...FAST,
        '--ready-path',
        '/health/ready',
        '--json',
        json,
        '--html',
        html,
        '--',
        process.execPath,
        fixture('naive'),
      ],
      { cwd: dir },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /requests FAILED/);
    assert.match(r.stdout, /failures by kind:/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { requests: { total: number; failed: number } };
    assert.ok(result.requests.total > 100);
    assert.ok(result.requests.failed > 0);
    assert.match(readFileSync(html, 'utf8'), /<html/i);
  });

  test('a draining app with the settings of a manifest: zero dropped, exit 0', () => {
    writeFileSync(
      join(dir, 'deploy.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    spec:
      terminationGracePeriodSeconds: 12
      containers:
        - name: web
          image: web:1
          ports: [{containerPort: 8080, name: http}]
          readinessProbe: {httpGet: {path: /health/ready, port: http}, periodSeconds: 1}
          lifecycle: {preStop: {exec: {command: [sleep, "3"]}}}
`,
    );
    const json = join(dir, 'draining.json');
    const args = FAST.filter((a, i) => a !== '--grace' && FAST[i - 1] !== '--grace');
    const r = zerodrop(
      ['rehearse', '--manifest', 'deploy.yaml', ...args, '--json', json, '--', process.execPath, fixture('draining')],
      { cwd: dir },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ZERO DROPPED/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as {
      settings: {
        replicas: number;
        maxSurge: number;
        maxUnavailable: number;
        preStop: string;
        gracePeriodSeconds: number;
      };
      pods: unknown[];
    };
    const { replicas, maxSurge, maxUnavailable, preStop, gracePeriodSeconds } = result.settings;
    assert.deepEqual(
      { replicas, maxSurge, maxUnavailable, preStop, gracePeriodSeconds },
      { replicas: 3, maxSurge: 1, maxUnavailable: 0, preStop: 'sleep 3s', gracePeriodSeconds: 12 },
    );
    assert.equal(result.pods.length, 6);
  });

  test('an app that never becomes ready: exit 2 with the reason and its output', () => {
    const r = zerodrop(
      [
        'rehearse',
        ...FAST,
        '--ready-path',
        '/health/ready',
        '--progress-deadline',
        '4',
        '--',
        process.execPath,
        fixture('never-ready'),
      ],
      { cwd: dir },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the app never became ready/);
    assert.match(r.stderr, /waiting for the database/);
  });

  test('a command that does not exist: exit 2', () => {
    const r = zerodrop(['rehearse', ...FAST, '--', 'zerodrop-no-such-app'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /command not found: zerodrop-no-such-app/);
  });
});

describe('zerodrop rehearse: interrupted', () => {
  function start(m: string) {
    const child = spawn(
      process.execPath,
      [bin, 'rehearse', ...FAST, '--prestop-sleep', '20', '--', process.execPath, fixture('naive'), m],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stdout += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, stdout: () => stdout };
  }

  async function replicasRunning(m: string): Promise<void> {
    for (let i = 0; i < 300 && withMarker(m).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(withMarker(m).length >= 2, 'replicas are running');
  }

  test('Ctrl-C: stops the load and the replicas, prints a partial summary, exit 130', async () => {
    const m = marker();
    const run = start(m);
    await replicasRunning(m);
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 130, run.stdout());
    assert.match(run.stdout(), /interrupted: partial/);
    assert.deepEqual(await waitGone(m), []);
  });

  test('kill -9 of the CLI: no replica survives', async () => {
    const m = marker();
    const run = start(m);
    await replicasRunning(m);
    run.child.kill('SIGKILL');
    await run.exited;
    assert.deepEqual(await waitGone(m), [], 'every process of the replica command is gone');
  });
});
