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
    // Why, and what to change, with the rules that catch it.
    assert.match(r.stdout, /why, on the termination timeline:\n +prestop +\d+ +\d+ requests? on old-/);
    assert.match(
      r.stdout,
      /rules: prestop-missing, prestop-shorter-than-propagation, .*https:\/\/\S+prestop-missing\.md/,
    );
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
    // The manifest it used, linted; and progress lines in a log, not only on a terminal.
    assert.match(r.stdout, /zerodrop lint deploy\.yaml: \d+ finding\(s\)/);
    assert.match(r.stdout, /replicas ran in a .*process group per replica/);
    assert.match(r.stderr, /^zerodrop rehearse: (starting|warmup) +\d+\.\ds +pods /m);
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

  test('a command that does not exist: one line, exit 2, nothing started', () => {
    const r = zerodrop(['rehearse', ...FAST, '--', 'zerodrop-no-such-app'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'zerodrop rehearse: command not found: zerodrop-no-such-app (check the command after --, and PATH)\n',
    );
  });

  test('an app that exits at start: stopped in seconds, the cause and its output on stderr, exit 2', () => {
    const json = join(dir, 'crash', 'result.json');
    const r = zerodrop(['rehearse', ...FAST, '--json', json, '--', process.execPath, fixture('crashes')], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /COULD NOT RUN: replica old-\d exited \(code 1\) before it became ready/);
    assert.match(r.stderr, /\| fatal: DATABASE_URL is not set/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { outcome: { diagnosis: { code: string } } };
    assert.equal(result.outcome.diagnosis.code, 'exited', 'the folder of --json was made, the cause is in it');
  });

  test('--json into a folder that cannot be made: exit 2 before anything runs', () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const started = Date.now();
    const r = zerodrop(
      ['rehearse', ...FAST, '--json', join(dir, 'a-file', 'r.json'), '--', process.execPath, fixture('naive')],
      { cwd: dir },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--json .*a-file\/r\.json: cannot write there \(a file is in the way of the folder\)/);
    assert.ok(Date.now() - started < 20_000, 'no rehearsal ran');
    const folder = zerodrop(['rehearse', '--html', dir, '--', process.execPath, fixture('naive')], { cwd: dir });
    assert.match(folder.stderr, /it is a folder; name a file/);
  });

  test('zero dropped, but the pods exit 1 after draining: a warning, exit 1; --allow-unclean-exit: exit 0', () => {
    const args = [...FAST, '--prestop-sleep', '3', '--ready-path', '/health/ready', '--env', 'EXIT_CODE=1'];
    const r = zerodrop(['rehearse', ...args, '--', process.execPath, fixture('draining')], { cwd: dir });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /ZERO DROPPED of [\d,]+ requests, BUT 2 pod\(s\) did not exit cleanly/);
    assert.match(r.stdout, /old-1 exited with code 1 after the stop signal/);
    const allowed = zerodrop(
      ['rehearse', ...args, '--allow-unclean-exit', '--', process.execPath, fixture('draining')],
      {
        cwd: dir,
      },
    );
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.match(allowed.stdout, /accepted with --allow-unclean-exit/);
  });
});

describe('zerodrop rehearse: interrupted', () => {
  function start(m: string, app = 'naive') {
    const child = spawn(
      process.execPath,
      [bin, 'rehearse', ...FAST, '--prestop-sleep', '20', '--', process.execPath, fixture(app), m],
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
    assert.match(run.stdout(), /INTERRUPTED after [\d,]+ requests \(partial\)/);
    assert.deepEqual(await waitGone(m), []);
  });

  test('kill -9 of the CLI: no replica survives, nor what it started in a session of its own', async () => {
    const m = marker();
    const run = start(m, 'escapes');
    await replicasRunning(m);
    // Each replica has left a `sh -c 'sleep 300; : <marker>'` in a session of its own. (Counted twice in a row: the
    // shell forks to run sleep, and for an instant its child still bears the same command line.)
    const grandchild = `^sh -c sleep 300; : ${m}`;
    let seen = 0;
    for (let i = 0; i < 300 && seen < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = withMarker(grandchild).length >= 2 ? seen + 1 : 0;
    }
    assert.equal(withMarker(grandchild).length, 2, `the grandchildren run: ${run.stdout()}`);
    run.child.kill('SIGKILL');
    await run.exited;
    assert.deepEqual(await waitGone(m), [], 'every process of the replica command is gone');
  });
});
