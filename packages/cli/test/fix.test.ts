import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
