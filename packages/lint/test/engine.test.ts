import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSettings } from '../src/config.js';
import {
  emptyInputMessage,
  FIELD_TYPE_ERROR,
  INTERNAL_ERROR,
  lint,
  lintForReport,
  objectOfFinding,
  parseInputs,
} from '../src/engine.js';
import type { Input } from '../src/files.js';
import { RULES } from '../src/registry.js';
import type { Rule } from '../src/rule.js';
import { deployment, docs, service } from './support/manifests.js';

const settings = defaultSettings();
const manifest = (file: string, text: string): Input => ({ file, kind: 'manifest', text });

/** A rule with a bug that shows on one object only: it throws on workloads named `bad`. */
const fragile: Rule = {
  meta: {
    id: 'fragile',
    description: 'reports every workload',
    severity: 'warning',
    fixable: false,
    condition: '4-ready-and-capacity',
  },
  check(context) {
    for (const w of context.set.workloads) {
      if (w.name === 'bad') throw new TypeError("Cannot read properties of undefined (reading 'split')");
      context.report({ object: w.doc, message: `${w.name} seen` });
    }
  },
};

test('a rule that throws on one object costs that object only: an internal problem names rule and object', () => {
  const inputs = [
    manifest('a.yaml', docs(deployment({ name: 'first' }), deployment({ name: 'bad' }), deployment({ name: 'last' }))),
    manifest('b.yaml', deployment({ name: 'other' })),
  ];
  const result = lint(inputs, settings, [fragile, ...RULES]);
  const internal = result.problems.filter((p) => p.code === INTERNAL_ERROR);
  assert.equal(internal.length, 1);
  assert.equal(internal[0]?.file, 'a.yaml');
  assert.equal(internal[0]?.line, 22);
  assert.match(internal[0]?.message ?? '', /^internal error in rule fragile on Deployment default\/bad: Cannot read/);
  const seen = result.findings.filter((f) => f.rule === 'fragile').map((f) => f.message);
  assert.deepEqual(seen, ['first seen', 'last seen', 'other seen']);
  // The other rules ran over every object, the bad one included.
  assert.ok(result.findings.some((f) => f.rule === 'prestop-missing' && f.object?.name === 'bad'));
});

test('a rule that throws everywhere is reported once and the others still run', () => {
  const broken: Rule = {
    ...fragile,
    meta: { ...fragile.meta, id: 'broken' },
    check: () => {
      throw new Error('boom');
    },
  };
  const result = lint([manifest('a.yaml', deployment())], settings, [broken, ...RULES]);
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.message.split(':')[0]]),
    [[INTERNAL_ERROR, 'internal error in rule broken']],
  );
  assert.ok(result.findings.some((f) => f.rule === 'prestop-missing'));
});

test('fields of any type never crash a run: each wrong one is a problem with its place, the rest is linted', () => {
  const container = `
    readinessProbe: {httpGet: {path: 8080, port: 8080}}
    livenessProbe: {grpc: {port: 9000, service: 12}}
    resources: {limits: {memory: {toString: 1}}, requests: {__proto__: {cpu: 1}}}`;
  const result = lint(
    [manifest('a.yaml', deployment({ container })), manifest('b.yaml', deployment({ name: 'api' }))],
    settings,
  );
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.file, p.line, p.column]),
    [
      [FIELD_TYPE_ERROR, 'a.yaml', 21, 38],
      [FIELD_TYPE_ERROR, 'a.yaml', 22, 46],
      [FIELD_TYPE_ERROR, 'a.yaml', 23, 32],
      [FIELD_TYPE_ERROR, 'a.yaml', 23, 67],
    ],
  );
  assert.match(result.problems[2]?.message ?? '', /limits\.memory must be a quantity .*got a map \{"toString":1\}/);
  assert.ok(result.findings.some((f) => f.file === 'b.yaml'));
  assert.ok(result.findings.some((f) => f.file === 'a.yaml' && f.rule === 'prestop-missing'));
});

test('kinds no rule looks at are counted by kind, not dropped without a word', () => {
  const result = lint(
    [
      manifest(
        'a.yaml',
        docs(
          'apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata: {name: legacy}\nspec: {replicas: 2}\n',
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
          deployment(),
        ),
      ),
    ],
    settings,
  );
  assert.deepEqual(result.summary.skippedKinds, { ConfigMap: 2, DeploymentConfig: 1 });
});

test('nothing to check is said, with where it was looked for', () => {
  const none = lint([manifest('values.yaml', 'replicaCount: 3\n')], settings);
  assert.equal(
    emptyInputMessage(['chart/'], none),
    'no Kubernetes objects or Dockerfiles found in chart/ (1 YAML document(s) without apiVersion and kind): nothing was checked. Pass --allow-empty to accept an empty input',
  );
  assert.match(emptyInputMessage(['-'], lint([manifest('<stdin>', '')], settings)) ?? '', /found in standard input:/);
  assert.equal(emptyInputMessage([], lint([manifest('a.yaml', deployment())], settings)), undefined);
});

test('merge keys count as kubectl applies them: a preStop merged in from shared defaults is a preStop', () => {
  const text = deployment({ container: 'lifecycle:\n  <<: {preStop: {sleep: {seconds: 3}}}' });
  const result = lint([manifest('a.yaml', text)], settings);
  assert.deepEqual(result.problems, []);
  assert.ok(!result.findings.some((f) => f.rule === 'prestop-missing'), 'the merged preStop is seen');
  const without = lint([manifest('a.yaml', deployment())], settings);
  assert.ok(without.findings.some((f) => f.rule === 'prestop-missing'));
});

test('a report run finds what lint finds, reads each input only when it comes to it, and keeps no manifest', () => {
  const inputs = [
    manifest('a.yaml', docs(deployment({ name: 'web' }), deployment({ name: 'api', replicas: 1 }))),
    manifest('b.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\nkind: [broken\n'),
  ];
  const full = lint(inputs, settings);
  assert.ok(full.findings.some((f) => f.fix && f.fix.edits.length > 0));
  const taken: string[] = [];
  const afterParse: string[][] = [];
  const report = lintForReport(
    (function* () {
      for (const input of inputs) {
        taken.push(input.file);
        yield input;
      }
    })(),
    settings,
    undefined,
    { afterParse: () => afterParse.push([...taken]) },
  );
  assert.deepEqual(taken, ['a.yaml', 'b.yaml']);
  // Once, when every input was taken.
  assert.deepEqual(afterParse, [['a.yaml', 'b.yaml']]);
  const described = full.findings.map(({ fix, ...f }) =>
    fix ? { ...f, fix: { description: fix.description, edits: [] } } : f,
  );
  // A report run's message is joined from its pieces when read.
  assert.deepEqual(
    report.findings.map((f) => ({ ...f, message: f.message })),
    described,
  );
  assert.deepEqual(report.problems, full.problems);
  assert.deepEqual(report.summary, full.summary);
  for (const finding of report.findings) assert.equal(objectOfFinding(finding), undefined);
});

test('a report run lets go of the data of objects the model never reads, and still finds what lint finds', () => {
  const text = docs(
    deployment({ name: 'web', replicas: 1 }),
    service(),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config}\ndata: {key: value}\n',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader}\nrules: [{verbs: [get]}]\n',
    'apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec: {template: {metadata: {labels: {app: web}}}}\n',
    'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: route}\nspec: {rules: [{backendRefs: [{name: web, port: 80}]}]}\n',
  );
  const parsed = parseInputs([manifest('a.yaml', text)], { keepText: false });
  const data = new Map(parsed.manifests[0]!.objects.map((o) => [o.kind, o.object]));
  assert.deepEqual(data.get('ConfigMap'), {});
  assert.deepEqual(data.get('Role'), {});
  for (const kind of ['Deployment', 'Service', 'Job', 'HTTPRoute']) assert.notDeepEqual(data.get(kind), {}, kind);
  const full = lint([manifest('a.yaml', text)], settings);
  const report = lintForReport([manifest('a.yaml', text)], settings);
  assert.ok(full.findings.length > 0);
  assert.deepEqual(
    report.findings.map((f) => [f.rule, f.line, f.column, f.message]),
    full.findings.map((f) => [f.rule, f.line, f.column, f.message]),
  );
  assert.deepEqual(report.summary, full.summary);
});
