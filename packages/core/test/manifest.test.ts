import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  asStringMap,
  displayValue,
  hasPath,
  ManifestError,
  parseManifests,
  positionOf,
  walkPath,
  yamlDocumentOf,
} from '../src/index.js';

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

test('merge keys are resolved as kubectl resolves them: in document order, earlier maps of a list win', () => {
  const text = [
    'base: &base {replicas: 2, paused: false}',
    'other: &other {replicas: 9, minReadySeconds: 5}',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web}',
    'spec:',
    '  replicas: 1',
    '  <<: [*base, *other]',
    '  paused: true',
    '',
  ].join('\n');
  const [object] = parseManifests(text, 'merge.yaml').objects;
  assert.ok(object);
  // replicas written before `<<` is overwritten by the merge (go-yaml v2); paused after it wins; base before other.
  assert.deepEqual(object.object.spec, { replicas: 2, paused: true, minReadySeconds: 5 });
  assert.deepEqual(positionOf(object, ['spec', 'minReadySeconds']), { line: 2, column: 29 });
  assert.deepEqual(positionOf(object, ['spec', 'paused']), { line: 9, column: 3 });
  assert.equal(hasPath(object, ['spec', 'minReadySeconds']), true);
});

test('aliases: one plain value for every use of an anchor; a recursive alias is refused', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  a: &x {k: [1, 2]}\n  b: *x\n';
  const [object] = parseManifests(text, 'a.yaml').objects;
  const spec = object?.object.spec as Record<string, unknown>;
  assert.equal(spec.a, spec.b);
  assert.deepEqual(positionOf(object!, ['spec', 'b', 'k', 1]), { line: 5, column: 17 });
  fails('a: &x [1, *x]\n', 'ERR_ZERODROP_YAML_SYNTAX', 1);
  fails('a: *nowhere\n', 'ERR_ZERODROP_YAML_SYNTAX', 1);
});

test('sed-style placeholders are named as templates to fill in, Helm actions as Helm templates', () => {
  const placeholder = fails(
    'apiVersion: v1\nkind: ReplicationController\nspec:\n  replicas: {{replicas}}\n',
    'ERR_ZERODROP_TEMPLATE_PLACEHOLDER',
    4,
  );
  assert.match(placeholder.message, /unfilled placeholder \{\{replicas\}\}/);
  assert.doesNotMatch(placeholder.message, /Helm/);
  // In a plain scalar a placeholder is text (`etcd-{{cell}}`); where it stands for a value, it is a template.
  const labels = fails(
    'kind: Service\nmetadata:\n  name: etcd-{{cell}}\n  labels: {{ labels }}\n',
    'ERR_ZERODROP_TEMPLATE_PLACEHOLDER',
    4,
  );
  assert.match(labels.message, /\{\{labels\}\}/);
  fails('spec:\n  replicas: {{ .Values.replicas }}\n', 'ERR_ZERODROP_HELM_TEMPLATE', 2);
  fails('{{- include "chart.labels" . | nindent 4 }}\n', 'ERR_ZERODROP_HELM_TEMPLATE', 1);
});

test('keys that objects carry (__proto__, toString, constructor) are plain data', () => {
  const text =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {__proto__: x, toString: 1, constructor: {a: 1}}\n';
  const [object] = parseManifests(text, 'p.yaml').objects;
  const labels = (object!.object.metadata as Record<string, unknown>).labels as Record<string, unknown>;
  assert.deepEqual(Object.keys(labels), ['__proto__', 'toString', 'constructor']);
  assert.equal(Object.getPrototypeOf(labels), Object.prototype);
  assert.deepEqual(asStringMap(labels), JSON.parse('{"__proto__": "x", "toString": "1"}'));
  assert.equal(displayValue(labels), '{"__proto__":"x","toString":1,"constructor":{"a":1}}');
});

test('a yaml document is read back from its span with offsets into the whole text', () => {
  const parsed = parseManifests(TEXT, 'all.yaml');
  const doc = yamlDocumentOf(parsed.source, 2);
  assert.ok(doc);
  const walk = walkPath(doc, ['items', 0, 'metadata', 'name']);
  assert.equal(walk.depth, 4);
  const at = (walk.node as { range: number[] }).range[0]!;
  assert.equal(TEXT.slice(at, at + 3), 'web');
  assert.equal(parsed.source.documentSpans.length, 3);
});

test('a long stream is read document by document', () => {
  const one = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\ndata: {k: "${i}"}\n`;
  const text = Array.from({ length: 5000 }, (_, i) => one(i)).join('---\n');
  const parsed = parseManifests(text, 'stream.yaml');
  assert.equal(parsed.objects.length, 5000);
  assert.deepEqual(positionOf(parsed.objects[4999]!, ['data', 'k']), { line: 4999 * 5 + 4, column: 8 });
});

test('positions stay right when a stream turns dense half-way (the offsets buffer grows by what is left to read)', () => {
  const sparse = (i: number) => `# ${'-'.repeat(2000)}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: s${i}}\n`;
  const dense = (i: number) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d${i}}\ndata: {${Array.from({ length: 20 }, (_, k) => `k${k}: v`).join(', ')}}\n`;
  const parts = [
    ...Array.from({ length: 300 }, (_, i) => sparse(i)),
    ...Array.from({ length: 3000 }, (_, i) => dense(i)),
  ];
  for (const keepText of [true, false]) {
    const parsed = parseManifests(parts.join('---\n'), 'stream.yaml', { keepText });
    assert.equal(parsed.objects.length, 3300);
    const last = parsed.objects[3299]!;
    assert.equal(last.name, 'd2999');
    // 300 documents of 5 lines and 2,999 of 5 lines before it, each with its `---`.
    const line = 300 * 5 + 2999 * 5 + 4;
    const column = dense(2999).split('\n')[3]!.indexOf('k19:') + 1;
    assert.deepEqual(positionOf(last, ['data', 'k19']), { line, column });
    assert.deepEqual(positionOf(parsed.objects[299]!, ['metadata', 'name']), { line: 299 * 5 + 4, column: 12 });
  }
});

test('text kept from a parse that lets go of the input is equal to what was written (long values, lone surrogates)', () => {
  const value = `${'long value '.repeat(10)}\ud800 end`;
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations: {note: ${JSON.stringify(value)}}\n`;
  const parsed = parseManifests(text, 'a.yaml', { keepText: false });
  const metadata = parsed.objects[0]!.object.metadata as { annotations: { note: string } };
  assert.equal(metadata.annotations.note, value);
});

test('keepText: false lets go of the text once parsed, positions still right; by default the text is kept', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // 16 MiB of text, nearly all of it comments, around values of 13 characters or more (which V8 would otherwise keep
  // as views into the text).
  const comment = `# ${'x'.repeat(1021)}\n`.repeat(4);
  const makeText = () =>
    Array.from(
      { length: 4096 },
      (_, i) => `${comment}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-map-number-${i}}\n`,
    ).join('---\n');
  // Made and parsed in a frame of its own: a frame still running may hold the text in a register.
  const parse = (keepText: boolean) => parseManifests(makeText(), 'big.yaml', { keepText });
  const retained = (keepText: boolean) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const parsed = parse(keepText);
    gc();
    return { parsed, grew: process.memoryUsage().heapUsed - before };
  };
  const kept = retained(true);
  assert.ok(kept.grew > 16 * 1024 * 1024, `the kept text is on the heap (grew ${kept.grew})`);
  assert.equal(kept.parsed.source.text, makeText());
  const dropped = retained(false);
  assert.ok(dropped.grew < 8 * 1024 * 1024, `the text is gone (grew ${dropped.grew})`);
  assert.equal(dropped.parsed.source.text, '');
  assert.equal(dropped.parsed.source.documentSpans.length, 0);
  assert.equal(kept.parsed.source.documentSpans.length, 4096);
  const last = dropped.parsed.objects[4095]!;
  assert.equal(last.name, 'config-map-number-4095');
  assert.deepEqual(positionOf(last, ['metadata', 'name']), { line: 4095 * 8 + 7, column: 12 });
});

test('positions survive keys JavaScript reorders (indexes), keys written twice, and merges', () => {
  const text = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: c}',
    'data:',
    '  b: one',
    '  "10": ten',
    '  a: [x, y]',
    '  b: two',
    '  "2": {deep: [1, {k: v}]}',
    '',
  ].join('\n');
  const [object] = parseManifests(text, 'c.yaml').objects;
  assert.ok(object);
  assert.deepEqual(Object.keys(object.object.data as object), ['2', '10', 'b', 'a']);
  assert.deepEqual(positionOf(object, ['data', 'b']), { line: 8, column: 3 });
  assert.deepEqual(positionOf(object, ['data', '10']), { line: 6, column: 3 });
  assert.deepEqual(positionOf(object, ['data', 'a', 1]), { line: 7, column: 10 });
  assert.deepEqual(positionOf(object, ['data', '2', 'deep', 1, 'k']), { line: 9, column: 20 });
  assert.deepEqual(positionOf(object, ['data', '2', 'deep', 1, 'missing']), { line: 9, column: 19 });
});

test('a document that cannot be read costs that document: the others of the stream are still read', () => {
  const text = [
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: last}\ndata: {k: v}\n',
  ].join('---\n');
  const problems: ManifestError[] = [];
  const parsed = parseManifests(text, 's.yaml', {}, problems);
  assert.deepEqual(
    parsed.objects.map((o) => [o.name, o.documentIndex]),
    [
      ['first', 0],
      ['last', 2],
    ],
  );
  assert.deepEqual(
    problems.map((p) => [p.code, p.position.line]),
    [['ERR_ZERODROP_YAML_SYNTAX', 9]],
  );
  assert.deepEqual(positionOf(parsed.objects[1]!, ['data', 'k']), { line: 13, column: 8 });
  assert.throws(() => parseManifests(text, 's.yaml'), ManifestError);
});
