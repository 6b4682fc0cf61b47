import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasPath, ManifestError, parseManifests, positionOf } from '../src/index.js';

const TEXT = `# leading comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: web:1
---
replicaCount: 3
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec: {selector: {app: web}}
  - not: kubernetes
`;

test('multi-document YAML, List items expanded, non-Kubernetes documents counted', () => {
  const parsed = parseManifests(TEXT, 'all.yaml');
  assert.deepEqual(
    parsed.objects.map((o) => [o.kind, o.name, o.namespace, o.documentIndex, o.basePath]),
    [
      ['Deployment', 'web', undefined, 0, []],
      ['Service', 'web', 'shop', 2, ['items', 0]],
    ],
  );
  assert.equal(parsed.skipped, 2);
});

test('positions: a written path points at its key; a missing one at its nearest written parent', () => {
  const [deployment, service] = parseManifests(TEXT, 'all.yaml').objects;
  assert.ok(deployment && service);
  assert.deepEqual(positionOf(deployment, ['spec', 'template', 'spec', 'containers', 0, 'image']), {
    line: 11,
    column: 11,
  });
  assert.deepEqual(positionOf(deployment, ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe']), {
    line: 10,
    column: 11,
  });
  assert.deepEqual(positionOf(deployment, ['spec', 'strategy']), { line: 6, column: 1 });
  assert.deepEqual(positionOf(service, ['spec', 'selector']), { line: 21, column: 12 });
  assert.equal(hasPath(deployment, ['spec', 'template']), true);
  assert.equal(hasPath(deployment, ['spec', 'replicas']), false);
});

test('JSON input parses like YAML', () => {
  const parsed = parseManifests('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}', 'pod.json');
  assert.equal(parsed.objects[0]?.kind, 'Pod');
});

function fails(text: string, code: string, line: number): ManifestError {
  try {
    parseManifests(text, 'bad.yaml');
  } catch (error) {
    assert.ok(error instanceof ManifestError, `expected a ManifestError, got ${error}`);
    assert.equal(error.code, code);
    assert.equal(error.position.line, line);
    assert.match(String(error), /^bad\.yaml:\d+:\d+: /);
    return error;
  }
  assert.fail('expected parseManifests to throw');
}

test('malformed YAML: typed error with file:line:col', () => {
  fails('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a,\n', 'ERR_ZERODROP_YAML_SYNTAX', 5);
  fails('a: 1\n\tb: 2\n', 'ERR_ZERODROP_YAML_SYNTAX', 2);
});

test('unrendered Helm templates are detected, even where they parse as YAML', () => {
  const parses = fails(
    'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.n }}\n',
    'ERR_ZERODROP_HELM_TEMPLATE',
    4,
  );
  assert.match(parses.message, /helm template/);
  fails('{{- if .Values.enabled }}\napiVersion: v1\nkind: Service\n{{- end }}\n', 'ERR_ZERODROP_HELM_TEMPLATE', 1);
});

test('template text inside quoted strings is data, not a template', () => {
  const parsed = parseManifests(
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  summary: "{{ $labels.instance }} down"\n',
    'cm.yaml',
  );
  assert.equal(parsed.objects.length, 1);
});

test('alias bombs and huge files are refused with a clear error', () => {
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
  for (const [name, prev] of [
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
    ['e', 'd'],
  ]) {
    bomb.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
  }
  fails(`${bomb.join('\n')}\n`, 'ERR_ZERODROP_ALIAS_BOMB', 5);
  const huge = `# ${'x'.repeat(100)}\n`;
  assert.throws(() => parseManifests(huge, 'big.yaml', { maxBytes: 50 }), { code: 'ERR_ZERODROP_FILE_TOO_LARGE' });
});

test('empty input and comment-only documents give no objects', () => {
  assert.equal(parseManifests('', 'e.yaml').objects.length, 0);
  assert.equal(parseManifests('# nothing\n---\n', 'e.yaml').skipped, 0);
});
