import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ZERODROP_BIN, zerodrop, zerodropSlowReader, zerodropSlowWriter } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'zerodrop-robust-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string | Buffer): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return path;
}

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 3
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/${name}:1.0.0
          ports: [{containerPort: 8080}]
${extra}`;

/** Many workloads with several findings each: a report, and a diff of their fixes, of well over 1 MB. */
const bigInput = write(
  'big/all.yaml',
  Array.from({ length: 2400 }, (_, i) => deployment(`service-${i}`)).join('---\n'),
);

test('a JSON report of more than 1 MB through a slow pipe arrives whole and parses', async () => {
  const r = await zerodropSlowReader(['lint', bigInput, '--format', 'json'], { cwd: dir });
  assert.ok(r.stdout.length > 1024 * 1024, `${r.stdout.length} bytes`);
  const report = JSON.parse(r.stdout) as {
    findings: unknown[];
    summary: { errors: number; warnings: number; infos: number };
  };
  const s = report.summary;
  assert.equal(report.findings.length, s.errors + s.warnings + s.infos);
  assert.equal(r.code, 1);
});

test('SARIF and a fix --dry-run diff of more than 1 MB arrive whole through a slow pipe', async () => {
  const sarif = await zerodropSlowReader(['lint', bigInput, '--format', 'sarif'], { cwd: dir, pauseMs: 2 });
  assert.ok(sarif.stdout.length > 1024 * 1024);
  assert.equal((JSON.parse(sarif.stdout) as { version: string }).version, '2.1.0');
  const diff = await zerodropSlowReader(['fix', bigInput, '--dry-run'], { cwd: dir, pauseMs: 2 });
  assert.ok(diff.stdout.length > 1024 * 1024, `${diff.stdout.length} bytes`);
  assert.match(diff.stdout, /^--- a\/big\/all\.yaml\n/);
  // The last workload's PodDisruptionBudget is at the very end of the diff.
  assert.match(
    diff.stdout,
    /\+ {2}name: service-2399\n\+spec:\n\+ {2}maxUnavailable: 1\n\+ {2}selector:\n\+ {4}matchLabels:\n\+ {6}app: service-2399\n$/,
  );
});

test('stdin of more than 4 MiB written slowly is read whole, as a blocking pipe and as one already opened as a stream', async () => {
  const workloads = (from: number) =>
    Array.from({ length: 40 }, (_, i) => deployment(`stdin-${from + i}`)).join('---\n');
  // More than one 4 MiB block of stdin, most of it a comment between the objects.
  const text = `${workloads(0)}---\n${`# ${'x'.repeat(1000)}\n`.repeat(4600)}${workloads(40)}`;
  const file = write('stdin/all.yaml', text);
  const expected = zerodrop(['lint', file, '--format', 'json'], { cwd: dir });
  const findings = (stdout: string) =>
    (JSON.parse(stdout) as { findings: { rule: string; line: number; message: string }[] }).findings.map(
      (f) => `${f.line} ${f.rule}: ${f.message}`,
    );
  const wanted = findings(expected.stdout);
  assert.ok(wanted.length >= 80, `${wanted.length} findings`);
  // Some are about the objects after the comment, past the first block.
  assert.ok(wanted.some((f) => Number(f.split(' ')[0]) > 4600));
  const pieces = [
    text.slice(0, 1000),
    text.slice(1000, 3_000_000),
    text.slice(3_000_000, 5_000_000),
    text.slice(5_000_000),
  ];
  for (const streamFirst of [false, true]) {
    const r = await zerodropSlowWriter(['lint', '-', '--format', 'json'], pieces, { cwd: dir, streamFirst });
    assert.equal(r.stderr, '', `streamFirst ${streamFirst}`);
    assert.equal(r.code, expected.code);
    assert.deepEqual(findings(r.stdout), wanted, `streamFirst ${streamFirst}`);
  }
});

test('stdin that cannot be read (a folder): exit 2 with the reason, no stack trace', () => {
  const folder = openSync(dir, 'r');
  try {
    for (const command of ['lint', 'fix', 'plan']) {
      const r = spawnSync(process.execPath, [ZERODROP_BIN, command, '-'], {
        cwd: dir,
        stdio: [folder, 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      assert.equal(r.status, 2, command);
      assert.match(r.stderr, /<stdin>: cannot read standard input: EISDIR/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  } finally {
    closeSync(folder);
  }
});

test('wrong-typed fields: file:line:col, no stack trace, every other file still linted, exit 2', () => {
  const bad = write(
    'types/bad.yaml',
    deployment(
      'bad',
      '          readinessProbe: {httpGet: {path: 8080, port: 8080}}\n          livenessProbe: {grpc: {port: 1, service: 7}}\n          resources: {limits: {memory: {toString: 1}}}\n',
    ),
  );
  const good = write('types/good.yaml', deployment('good'));
  const r = zerodrop(['lint', bad, good], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(
    r.stdout,
    /types\/bad\.yaml:17:38: Deployment default\/bad: spec\.template\.spec\.containers\[0\]\.readinessProbe\.httpGet\.path must be a string, got the number 8080/,
  );
  assert.match(r.stdout, /types\/bad\.yaml:18:43: .*grpc\.service must be a string/);
  assert.match(r.stdout, /types\/bad\.yaml:19:32: .*limits\.memory must be a quantity/);
  assert.match(r.stdout, /^types\/good\.yaml$/m);
  assert.match(r.stdout, /3 field\(s\) of a type Kubernetes rejects/);
  assert.doesNotMatch(r.stdout + r.stderr, /internal error|\n\s+at /);
});

test('nothing to check fails: an empty folder, a folder of non-Kubernetes YAML, empty stdin; --allow-empty accepts it', () => {
  mkdirSync(join(dir, 'empty'));
  write('values/values.yaml', 'replicaCount: 3\n');
  for (const [args, where] of [
    [['lint', 'empty'], 'empty'],
    [['lint', 'values'], 'values \\(1 YAML document'],
    [['lint', '-'], 'standard input'],
    [['fix', 'empty'], 'empty'],
  ] as const) {
    const r = zerodrop([...args], { cwd: dir, input: '' });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, new RegExp(`no Kubernetes objects or Dockerfiles found in ${where}`), r.stderr);
    assert.doesNotMatch(r.stdout, /✓/);
  }
  const allowed = zerodrop(['lint', 'empty', '--allow-empty'], { cwd: dir });
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /nothing checked/);
});

test('symbolic links are followed (a loop once), UTF-16 and BOM files are read, unchecked kinds are counted', () => {
  write('links/real/deploy.yaml', deployment('linked'));
  symlinkSync(join(dir, 'links/real'), join(dir, 'links/current'));
  symlinkSync(join(dir, 'links'), join(dir, 'links/real/up'));
  const viaLink = zerodrop(['lint', 'links/current', '--format', 'json'], { cwd: dir });
  const report = JSON.parse(viaLink.stdout) as { summary: { objects: number }; findings: { file: string }[] };
  assert.equal(report.summary.objects, 1);
  assert.ok(report.findings.every((f) => f.file === 'links/current/deploy.yaml'));

  const text = deployment('wide');
  write('enc/utf16le.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  write('enc/utf16be.yaml', Buffer.from(Buffer.from(text.replace('wide', 'big'), 'utf16le')).swap16());
  write('enc/bom.yaml', `\ufeff${text.replace('wide', 'bom')}`);
  write('enc/legacy.yaml', 'apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata: {name: legacy}\n');
  const enc = zerodrop(['lint', 'enc'], { cwd: dir });
  assert.match(enc.stdout, /3 object\(s\)|4 object\(s\)/);
  for (const name of ['wide', 'big', 'bom']) assert.match(enc.stdout, new RegExp(`Deployment default/${name} `));
  assert.match(enc.stdout, /no rule for 1 DeploymentConfig/);
  assert.doesNotMatch(enc.stdout, /non-Kubernetes/);
});

test('a broken document inside a stream: reported with its line, the other documents linted, the file never fixed', () => {
  const stream = write(
    'stream/all.yaml',
    [deployment('before'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n', deployment('after')].join(
      '---\n',
    ),
  );
  const r = zerodrop(['lint', stream, '--format', 'json'], { cwd: dir });
  assert.equal(r.code, 2);
  const report = JSON.parse(r.stdout) as {
    findings: { object?: { name: string } }[];
    problems: { line: number; message: string }[];
  };
  assert.deepEqual(
    report.problems.map((p) => [p.line, p.message.split(':')[0]]),
    [[22, 'invalid YAML']],
  );
  const names = new Set(report.findings.map((f) => f.object?.name));
  assert.ok(names.has('before') && names.has('after'), [...names].join(' '));
  const fixed = zerodrop(['fix', stream], { cwd: dir });
  assert.equal(fixed.code, 2);
  assert.match(fixed.stderr, /stream\/all\.yaml:22:1: invalid YAML.*\(not changed\)/);
  assert.match(fixed.stderr, /not applied, part of the file could not be read/);
});
