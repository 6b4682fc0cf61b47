import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { defaultSettings } from '../src/config.js';
import { fixInputs } from '../src/fix.js';
import type { Rule } from '../src/rule.js';
import { yaml } from './support/rule-tester.js';

const settings = defaultSettings();

function fix(text: string) {
  return fixInputs([{ file: 'm.yaml', kind: 'manifest', text }], settings);
}

/** Every document parses without errors, duplicate keys included. */
function assertStrict(text: string): void {
  for (const doc of parseAllDocuments(text, { uniqueKeys: true }) as { errors: unknown[] }[])
    assert.deepEqual(doc.errors, [], text);
}

/** Fixes, checks the result parses strictly, and that fixing the result again changes nothing. */
function fixOnce(text: string): string {
  const first = fix(text);
  assert.equal(first.settled, true, 'one run settles');
  const out = first.changed.get('m.yaml') ?? text;
  assertStrict(out);
  assert.equal(fix(out).changed.size, 0, 'a second run changes nothing');
  return out;
}

const WEB = (probes: string) =>
  yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    replicas: 3
    strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
    selector:
      matchLabels: {app: web}
    template:
      metadata:
        labels: {app: web}
      spec:
        containers:
          - name: app
            image: web:1.2.3
            ports: [{containerPort: 8080}]
            lifecycle: {preStop: {sleep: {seconds: 3}}}
  ` +
  probes +
  yaml`
  ---
  apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: web}
  spec:
    maxUnavailable: 1
    selector: {matchLabels: {app: web}}
  `;

test('an edit through an alias is made on a copy at the alias: the anchored value never changes', () => {
  const probes = [
    '          readinessProbe: &probe',
    '            httpGet: {path: /healthz, port: 8080}   # one probe for both',
    '            failureThreshold: 3',
    '          livenessProbe: *probe',
    '',
  ].join('\n');
  const out = fixOnce(WEB(probes));
  assert.match(
    out,
    /readinessProbe: &probe\n {12}httpGet: \{path: \/healthz, port: 8080\} {3}# one probe for both\n {12}failureThreshold: 3\n/,
  );
  assert.match(out, /livenessProbe:\n {12}httpGet:\n {14}path: \/healthz\n {14}port: 8080\n {12}failureThreshold: 6\n/);
  // Before, the copy did not exist and the anchored failureThreshold grew on every run: 3, 3072, 3145728.
  const again = fixOnce(out);
  assert.equal(again, out);
});

test('an edit inside an anchored value that an alias also uses waits until the alias has its own copy', () => {
  const text = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    replicas: 3
    strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        terminationGracePeriodSeconds: 60
        containers:
          - name: a
            image: a:1.0.0
            ports: [{containerPort: 80}]
            lifecycle: &hook {preStop: {sleep: {seconds: 1}}}
          - name: b
            image: b:1.0.0
            ports: [{containerPort: 81}]
            lifecycle: *hook
  ---
  apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: web}
  spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
  `;
  const out = fixOnce(text);
  // Container b got its own copy; a's anchored hook was edited only once nothing else used it.
  assert.match(out, /lifecycle: &hook \{preStop: \{sleep: \{seconds: 3\}\}\}/);
  assert.match(out, /- name: b\n.*\n.*\n {10}lifecycle:\n {12}preStop:\n {14}sleep:\n {16}seconds: 3\n/);
});

test('inserting into a flow map keeps its comments and anchors', () => {
  const text = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api}
  spec:
    replicas: 4
    strategy: {rollingUpdate: &ru {maxSurge: 1}}   # surge one at a time
    selector: {matchLabels: {app: api}}
    template:
      metadata: {labels: {app: api}}
      spec:
        containers:
          - {name: app, image: "api:2.0.0", ports: [{containerPort: 80}], readinessProbe: {tcpSocket: {port: 80}}}   # the only container
  ---
  apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: api}
  spec: {maxUnavailable: 1, selector: {matchLabels: {app: api}}}
  `;
  const out = fixOnce(text);
  assert.match(out, /strategy: \{rollingUpdate: &ru \{maxSurge: 1, maxUnavailable: 0\}\} {3}# surge one at a time\n/);
  assert.match(
    out,
    /- \{name: app, image: "api:2\.0\.0", ports: \[\{containerPort: 80\}\], readinessProbe: \{tcpSocket: \{port: 80\}\}, lifecycle: \{ preStop: \{ sleep: \{ seconds: 3 \} \} \}\} {3}# the only container\n/,
  );
});

test('a DaemonSet gets one updateStrategy with both fields, never the key twice', () => {
  const text = yaml`
  apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent}
  spec:
    selector: {matchLabels: {app: agent}}
    template:
      metadata: {labels: {app: agent}}
      spec:
        containers:
          - name: agent
            image: agent:1.0.0
            ports: [{containerPort: 9100}]
            lifecycle: {preStop: {sleep: {seconds: 3}}}
  `;
  const out = fixOnce(text);
  assert.equal(out.match(/updateStrategy:/g)?.length, 1);
  assert.match(out, /updateStrategy:\n {4}rollingUpdate:\n {6}maxUnavailable: 0\n {6}maxSurge: 1\n/);
});

/** A replicated workload serving port 80, selecting pods labelled `app: <selector>`; its pods have `app: <pods>`. */
const replicated = (kind: string, name: string, selector: string, pods = selector, replicas = 2) => yaml`
  apiVersion: apps/v1
  kind: ${kind}
  metadata: {name: ${name}}
  spec:
    replicas: ${replicas}
    selector: {matchLabels: {app: ${selector}}}
    template:
      metadata: {labels: {app: ${pods}}}
      spec:
        containers: [{name: app, image: "x:1.0.0", ports: [{containerPort: 80}]}]
  `;

test('pdb-missing adds one PDB per workload in one run, whatever the count, with names that do not collide', () => {
  const objects = Array.from({ length: 35 }, (_, i) => replicated('Deployment', `w${i}`, `w${i}`));
  // Same name, other kind; and a written PDB that already uses the name "db".
  objects.push(replicated('StatefulSet', 'w0', 'w0-state'), replicated('Deployment', 'db', 'db'));
  objects.push(
    'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: db}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: other}}}\n',
  );
  const out = fixOnce(objects.join('---\n'));
  const names = [...out.matchAll(/kind: PodDisruptionBudget\nmetadata:\n {2}name: (\S+)/g)].map((m) => m[1]);
  assert.equal(names.length, 37);
  assert.equal(new Set([...names, 'db']).size, 38, names.join(' '));
  assert.ok(names.includes('w0-statefulset') && names.includes('db-deployment'), names.join(' '));
});

test('two workloads with the same pod labels get one PDB, not two that would block every eviction', () => {
  const out = fixOnce(
    [replicated('Deployment', 'blue', 'shared'), replicated('Deployment', 'green', 'shared')].join('---\n'),
  );
  assert.equal(out.match(/kind: PodDisruptionBudget/g)?.length, 1);
});

/** A Pod `p` whose first container `app` serves port 80 and is ready by TCP; `name` and `rest` are its lines. */
const pod = (name: string, rest = '') =>
  yaml`
  apiVersion: v1
  kind: Pod
  metadata: {name: p}
  spec:
    containers:
  ` +
  `    - ${name}\n      image: app:1.0.0\n      ports: [{containerPort: 80}]\n      readinessProbe: {tcpSocket: {port: 80}}\n${rest}`;

test('a fix whose result would not parse is refused with the reason, and the text stays', () => {
  // Keys written with the explicit `? key` syntax: new keys aligned with the first one would not be siblings.
  const text = pod('? name\n      : app');
  const outcome = fix(text);
  assert.equal(outcome.changed.size, 0);
  const refused = outcome.refused.get('m.yaml') ?? [];
  assert.ok(
    refused.some((r) =>
      /^prestop-missing: add preStop sleep 3s: not applied, the result would (not parse|change)/.test(r),
    ),
    refused.join('\n'),
  );
});

test('a key merged in with `<<` stays: an added key goes next to the merge', () => {
  const text = pod(
    'name: app',
    '      lifecycle:\n        <<: &hooks {postStart: {exec: {command: [touch, /ready]}}}\n    - name: side\n      image: side:1.0.0\n      lifecycle: *hooks\n',
  );
  const out = fixOnce(text);
  assert.match(
    out,
    /lifecycle:\n {8}<<: &hooks \{postStart: \{exec: \{command: \[touch, \/ready\]\}\}\}\n {8}preStop:\n/,
  );
  assert.match(out, /lifecycle: \*hooks\n/);
});

test('a fix is never made on an object with a field of a type Kubernetes rejects', () => {
  const text = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    replicas: 3
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
          - name: app
            image: web:1.2.3
            ports: [{containerPort: 8080}]
            readinessProbe: {httpGet: {path: 8080, port: 8080}}
  `;
  const outcome = fix(text);
  assert.equal(outcome.changed.size, 0);
  const refused = outcome.refused.get('m.yaml') ?? [];
  assert.ok(refused.length >= 2, refused.join('\n'));
  assert.ok(refused.every((r) => /a field of a type Kubernetes rejects/.test(r)));
  assert.match(outcome.problems[0]?.message ?? '', /httpGet\.path must be a string, got the number 8080/);
});

test('a fix that does not resolve its finding is applied once, then refused: a run settles and a second one is a no-op', () => {
  const stubborn: Rule = {
    meta: {
      id: 'stubborn',
      description: 'always reports',
      severity: 'warning',
      fixable: true,
      condition: '4-ready-and-capacity',
    },
    check(context) {
      for (const w of context.set.workloads)
        context.report({
          object: w.doc,
          message: 'still here',
          fix: {
            description: 'mark it',
            edits: [{ op: 'set', object: w.doc, path: ['metadata', 'annotations', 'seen'], value: 'yes' }],
          },
        });
    },
  };
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: a, image: "a:1.0.0"}]\n';
  const first = fixInputs([{ file: 'm.yaml', kind: 'manifest', text }], settings, [stubborn]);
  assert.equal(first.settled, true);
  assert.deepEqual(first.applied.get('m.yaml'), ['stubborn: mark it']);
  assert.deepEqual(first.refused.get('m.yaml'), [
    'stubborn: mark it: not applied again, the finding was still there after it was applied',
  ]);
  const out = first.changed.get('m.yaml')!;
  assert.match(out, /annotations:\n {4}seen: yes\n/);
});

test('pdb-missing offers no PDB for a workload whose selector does not match its own pods', () => {
  const text = replicated('Deployment', 'odd', 'odd', 'other', 3);
  const outcome = fix(text);
  assert.ok(!(outcome.applied.get('m.yaml') ?? []).some((a) => a.startsWith('pdb-missing')));
  assert.equal(outcome.settled, true);
});
