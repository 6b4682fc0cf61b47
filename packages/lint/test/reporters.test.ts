import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import AjvDraft04 from 'ajv-draft-04';
import { defaultSettings } from '../src/config.js';
import { lint } from '../src/engine.js';
import { formatChunks, formatResult } from '../src/reporters/index.js';
import { deployment } from './support/manifests.js';

const require = createRequire(import.meta.url);
const Ajv = AjvDraft04.default;
/** The schema's `language` pattern is not valid with the u flag, so patterns are compiled without it. */
const AJV_OPTIONS = { allErrors: true, strict: false, unicodeRegExp: false };
// The SARIF 2.1.0 schema (final rtm.5 revision, JSON Schema draft-04) as Microsoft's SARIF SDK ships it.
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as object;

const result = lint(
  [
    { file: 'k8s/web.yaml', kind: 'manifest', text: deployment({ replicas: 4, container: 'command: [npm, start]' }) },
    { file: 'k8s/Dockerfile', kind: 'dockerfile', text: 'FROM node\nCMD npm start\n' },
    { file: 'k8s/broken.yaml', kind: 'manifest', text: 'a: [\n' },
  ],
  defaultSettings(),
);

test('the run has findings of every severity level used and an unreadable file', () => {
  assert.ok(result.findings.some((f) => f.severity === 'error'));
  assert.ok(result.findings.some((f) => f.severity === 'warning'));
  assert.equal(result.problems.length, 1);
});

test('sarif output validates against the SARIF 2.1.0 JSON schema', () => {
  const ajv = new Ajv(AJV_OPTIONS);
  const validate = ajv.compile(schema);
  const sarif = JSON.parse(formatResult(result, 'sarif', { color: false, version: '0.1.0' })) as {
    runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
  };
  assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 2));
  const results = sarif.runs[0]?.results ?? [];
  assert.equal(results.length, result.findings.length);
  assert.ok(
    results.some(
      (r) => r.ruleId === 'signals-not-forwarded' && r.locations[0]?.physicalLocation.region.startLine === 2,
    ),
  );
});

test('the schema check can fail: a result without a message is rejected', () => {
  const ajv = new Ajv(AJV_OPTIONS);
  const validate = ajv.compile(schema);
  const sarif = JSON.parse(formatResult(result, 'sarif', { color: false, version: '0.1.0' }));
  delete sarif.runs[0].results[0].message;
  assert.equal(validate(sarif), false);
});

test('github: one workflow command per finding and problem, data escaped', () => {
  const out = formatResult(result, 'github', { color: false, version: '0.1.0' }).trimEnd().split('\n');
  assert.equal(out.length, result.findings.length + result.problems.length);
  for (const line of out)
    assert.match(line, /^::(error|warning|notice) file=k8s\/[\w.]+,line=\d+,col=\d+,title=zerodrop[^:]*::/);
  assert.ok(
    out.some((l) => l.includes('"25%25"')),
    'a % in the message is escaped as %25',
  );
});

test('text: colour only when asked', () => {
  assert.ok(!formatResult(result, 'text', { color: false, version: '0' }).includes('\u001b['));
  assert.ok(formatResult(result, 'text', { color: true, version: '0' }).includes('\u001b[31merror'));
});

test('json: findings, problems and summary', () => {
  const out = JSON.parse(formatResult(result, 'json', { color: false, version: '0' }));
  assert.equal(out.findings.length, result.findings.length);
  const manifestFinding = out.findings.find((f: { file: string }) => f.file === 'k8s/web.yaml');
  assert.deepEqual(Object.keys(manifestFinding).slice(0, 6), ['rule', 'severity', 'file', 'line', 'column', 'object']);
  assert.deepEqual(manifestFinding.object, { kind: 'Deployment', name: 'web' });
  assert.equal(out.problems[0].file, 'k8s/broken.yaml');
  assert.equal(out.summary.errors, result.summary.errors);
});

test('json and sarif are written a piece at a time, and read exactly as JSON.stringify writes them', () => {
  for (const format of ['json', 'sarif'] as const) {
    const out = formatResult(result, format, { color: false, version: '0.1.0' });
    assert.equal(out, `${JSON.stringify(JSON.parse(out), null, 2)}\n`, format);
    const empty = { ...result, findings: [], problems: [] };
    const none = formatResult(empty, format, { color: false, version: '0.1.0' });
    assert.equal(none, `${JSON.stringify(JSON.parse(none), null, 2)}\n`, `${format} without findings`);
  }
  const json = JSON.parse(formatResult(result, 'json', { color: false, version: '0' })) as { findings: unknown[] };
  assert.equal(json.findings.length, result.findings.length);
  assert.ok([...formatChunks(result, 'json', { color: false, version: '0' })].length > result.findings.length);
});
