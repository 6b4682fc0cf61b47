import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureCopy, zerodrop } from './support/cli.js';

const dir = fixtureCopy();

test('clean manifests and Dockerfile: exit 0', () => {
  const r = zerodrop(['lint', 'good'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /no problems: 3 object\(s\), 1 workload\(s\), 1 Dockerfile\(s\) checked/);
});

test('error findings: exit 1, grouped by file with file-relative line:col, no colour without a TTY', () => {
  const r = zerodrop(['lint', 'bad'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^bad\/Dockerfile\n {2}4:1 +error +CMD of the final stage: `npm start`/m);
  assert.match(r.stdout, /^bad\/api\.yaml\n/m);
  assert.match(
    r.stdout,
    /15:11 +error +Deployment default\/api container "app" serves traffic \(.*\) and has no preStop hook.*prestop-missing/,
  );
  assert.match(r.stdout, /1 non-Kubernetes document\(s\) skipped/);
  assert.ok(!r.stdout.includes('\u001b['), 'no ANSI colour codes');
});

test('json: findings with rule, severity, file, line, column, object, message; summary counts', () => {
  const r = zerodrop(['lint', 'bad', '--format', 'json'], { cwd: dir });
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as {
    findings: Record<string, unknown>[];
    summary: Record<string, number>;
  };
  const prestop = out.findings.find((f) => f.rule === 'prestop-missing');
  assert.deepEqual(
    { ...prestop, message: undefined },
    {
      rule: 'prestop-missing',
      severity: 'error',
      file: 'bad/api.yaml',
      line: 15,
      column: 11,
      object: { kind: 'Deployment', name: 'api' },
      message: undefined,
      fixable: true,
      fix: 'add preStop sleep 3s',
    },
  );
  assert.equal(out.summary.skippedDocuments, 1);
  assert.equal(out.summary.errors, 2);
  assert.equal(out.summary.warnings, 4);
});

test('github: workflow commands with file, line, col and title', () => {
  const r = zerodrop(['lint', 'bad/Dockerfile', '--format=github'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^::error file=bad\/Dockerfile,line=4,col=1,title=zerodrop signals-not-forwarded::CMD/m);
});

test('stdin: `-` reads manifests from standard input', () => {
  const input = readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8');
  const r = zerodrop(['lint', '-', '--format', 'json'], { cwd: dir, input });
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as { findings: { file: string }[] };
  assert.ok(out.findings.length > 0);
  assert.ok(out.findings.every((f) => f.file === '<stdin>'));
});

test('malformed YAML: file:line:col, no stack trace, other files still reported, exit 2', () => {
  const r = zerodrop(['lint', 'broken.yaml', 'bad', 'helm.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stdout, /broken\.yaml:5:1: invalid YAML/);
  assert.match(r.stdout, /helm\.yaml:4:9: .*helm template/);
  assert.match(r.stdout, /prestop-missing/);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
});

test('a file that cannot be read never reads as a pass', () => {
  const r = zerodrop(['lint', 'broken.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stdout, /✓/);
  assert.match(r.stdout, /✖ no findings in what could be read: .*1 file\(s\) could not be read/);
});

test('usage errors and missing paths: exit 2 without a stack trace', () => {
  for (const args of [
    ['lint', '--format', 'xml'],
    ['lint', '--nope'],
    ['lint', 'does-not-exist.yaml'],
    ['lint', '--profile', 'f5'],
  ]) {
    const r = zerodrop(args, { cwd: dir });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^zerodrop lint: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('config: severities, profile, and bad config with its line', () => {
  writeFileSync(
    join(dir, 'off.yaml'),
    'rules:\n  prestop-missing: off\n  signals-not-forwarded: warning\nprofile: gke-neg\n',
  );
  const off = zerodrop(['lint', 'bad', '--config', 'off.yaml', '--format', 'json'], { cwd: dir });
  assert.equal(off.code, 0, off.stdout);
  const rules = (JSON.parse(off.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule);
  assert.ok(!rules.includes('prestop-missing'));
  writeFileSync(join(dir, 'bad-config.yaml'), 'profile: gke-neg\nrules:\n  prestop-missing: loud\n');
  const bad = zerodrop(['lint', 'good', '--config', 'bad-config.yaml'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad-config\.yaml:3:20: rules\.prestop-missing must be one of off, info, warning, error/);
  const profile = zerodrop(['lint', 'good', '--profile', 'gke-neg', '--format', 'json'], { cwd: dir });
  const messages = (JSON.parse(profile.stdout) as { findings: { message: string }[] }).findings.map((f) => f.message);
  assert.ok(
    messages.some((m) => /gke-neg stops sending at 15s/.test(m)),
    messages.join('\n'),
  );
});

test('the config file is found from the current folder upward', () => {
  writeFileSync(join(dir, '.zerodrop.yaml'), 'rules:\n  signals-not-forwarded: off\n  prestop-missing: off\n');
  const r = zerodrop(['lint', '.'], { cwd: join(dir, 'bad') });
  assert.equal(r.code, 0, r.stdout);
});
