import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureCopy, zerodrop } from './support/cli.js';

test('--dry-run prints a unified diff and writes nothing', () => {
  const dir = fixtureCopy();
  const before = readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8');
  const r = zerodrop(['fix', 'bad/api.yaml', '--dry-run'], { cwd: dir });
  assert.match(r.stdout, /^--- a\/bad\/api\.yaml\n\+\+\+ b\/bad\/api\.yaml\n@@ /);
  assert.match(r.stdout, /^\+ {10}lifecycle:$/m);
  assert.match(r.stdout, /^\+kind: PodDisruptionBudget$/m);
  assert.equal(readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8'), before);
});

test('fix writes in place, keeps comments and untouched lines, and a second run changes nothing', () => {
  const dir = fixtureCopy();
  const file = join(dir, 'bad', 'api.yaml');
  const before = readFileSync(file, 'utf8');
  const first = zerodrop(['fix', 'bad/api.yaml'], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  const after = readFileSync(file, 'utf8');
  assert.notEqual(after, before);
  for (const line of before.split('\n')) assert.ok(after.includes(line), `kept: ${line}`);
  assert.match(after, /name: api {3}# public API/);
  assert.match(after, /preStop:\n\s+sleep:\n\s+seconds: 3/);
  const lint = zerodrop(['lint', 'bad/api.yaml', '--format', 'json'], { cwd: dir });
  const rules = (JSON.parse(lint.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule);
  assert.deepEqual(rules, ['liveness-same-as-readiness']);
  const second = zerodrop(['fix', 'bad/api.yaml'], { cwd: dir });
  assert.equal(second.code, 0);
  assert.equal(readFileSync(file, 'utf8'), after);
});

test('a file that does not parse is never written; the others are fixed; exit 2', () => {
  const dir = fixtureCopy();
  const broken = readFileSync(join(dir, 'broken.yaml'), 'utf8');
  const r = zerodrop(['fix', 'broken.yaml', 'bad/api.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.yaml:5:1: invalid YAML.*\(not changed\)/);
  assert.equal(readFileSync(join(dir, 'broken.yaml'), 'utf8'), broken);
  assert.match(readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8'), /preStop/);
});

test('stdin: the fixed text goes to stdout', () => {
  const dir = fixtureCopy();
  const input = readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8');
  const r = zerodrop(['fix', '-'], { cwd: dir, input });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# The API, as first written\./);
  assert.match(r.stdout, /kind: PodDisruptionBudget/);
});

test('a read-only file: exit 2 naming it, no stack trace, and no file changed (all or none)', () => {
  const dir = fixtureCopy();
  writeFileSync(join(dir, 'second.yaml'), readFileSync(join(dir, 'bad', 'api.yaml')));
  chmodSync(join(dir, 'second.yaml'), 0o444);
  const before = readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8');
  const r = zerodrop(['fix', 'bad/api.yaml', 'second.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /zerodrop fix: second\.yaml: the file is read-only \(make it writable to fix it\); no file was changed/,
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8'), before);
  assert.doesNotMatch(r.stdout, /fixed/);
});

test('a folder the user cannot write: exit 2 naming the file, and the other files are not changed either', (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to run the CLI as another user (nobody) who cannot write the folder');
    return;
  }
  const dir = fixtureCopy();
  const nobody = 65534;
  chmodSync(dir, 0o755);
  // nobody may write this file but not create anything next to it (the folder is root's), ...
  mkdirSync(join(dir, 'locked'), { mode: 0o755 });
  writeFileSync(join(dir, 'locked', 'api.yaml'), readFileSync(join(dir, 'bad', 'api.yaml')));
  chownSync(join(dir, 'locked', 'api.yaml'), nobody, nobody);
  // ... while this folder and file are nobody's own.
  chownSync(join(dir, 'bad'), nobody, nobody);
  chownSync(join(dir, 'bad', 'api.yaml'), nobody, nobody);
  const before = readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8');
  const r = zerodrop(['fix', 'bad/api.yaml', 'locked/api.yaml'], { cwd: dir, uid: nobody, gid: nobody });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /zerodrop fix: locked\/api\.yaml: cannot write next to it \(EACCES\); no file was changed/);
  assert.equal(readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8'), before);
  assert.equal(readFileSync(join(dir, 'locked', 'api.yaml'), 'utf8'), before);
  assert.deepEqual(readdirSync(join(dir, 'bad')).sort(), ['Dockerfile', 'api.yaml'], 'no temp file left');
});

test('through a symbolic link the target is fixed and the link stays; the mode is kept', () => {
  const dir = fixtureCopy();
  chmodSync(join(dir, 'bad', 'api.yaml'), 0o640);
  symlinkSync(join(dir, 'bad', 'api.yaml'), join(dir, 'api-link.yaml'));
  const r = zerodrop(['fix', 'api-link.yaml'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lstatSync(join(dir, 'api-link.yaml')).isSymbolicLink(), true);
  assert.match(readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8'), /preStop/);
  assert.equal(statSync(join(dir, 'bad', 'api.yaml')).mode & 0o777, 0o640);
});

test('a UTF-16 manifest is fixed and written back as UTF-16', () => {
  const dir = fixtureCopy();
  const text = readFileSync(join(dir, 'bad', 'api.yaml'), 'utf8');
  writeFileSync(join(dir, 'wide.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const r = zerodrop(['fix', 'wide.yaml'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const bytes = readFileSync(join(dir, 'wide.yaml'));
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
  assert.match(bytes.subarray(2).toString('utf16le'), /preStop:\n\s+sleep:\n\s+seconds: 3/);
});
