import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { defaultSettings, parseConfig } from '../src/config.js';
import { FIELD_TYPE_ERROR, lint } from '../src/engine.js';
import { UserInputError } from '../src/errors.js';
import { fixInputs } from '../src/fix.js';
import { deployment, docs, service } from './support/manifests.js';

const SEED = docs(
  deployment({
    container: `
      command: [sh, -c, "npm start"]
      readinessProbe: {httpGet: {path: /ready, port: http}}
      livenessProbe: {httpGet: {path: /ready, port: http}}
      lifecycle: {preStop: {exec: {command: [sleep, "1"]}}}`,
    spec: 'strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: "50%"}}',
  }),
  service('annotations:\n  alb.ingress.kubernetes.io/healthcheck-path: /x'),
);

/** Lints (and fixes) one manifest text; every outcome must be findings or typed problems, never a throw. */
function lintsOrReports(text: string): void {
  const inputs = [
    { file: 'm.yaml', kind: 'manifest' as const, text },
    { file: 'Dockerfile', kind: 'dockerfile' as const, text },
  ];
  const result = lint(inputs, defaultSettings());
  for (const p of result.problems) {
    assert.equal(typeof p.message, 'string');
    assert.ok(p.line >= 1 && p.column >= 1);
  }
  const fixed = fixInputs(inputs, defaultSettings(), undefined, 3);
  const unparsed = result.problems.some((p) => p.code !== FIELD_TYPE_ERROR);
  if (unparsed) assert.equal(fixed.changed.has('m.yaml'), false, 'unparsable input is never fixed');
}

const mutation = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6 }));

test('mutated manifests: lint and fix never crash', () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
      let text = SEED;
      for (const [at, remove, insert] of mutations) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + insert + text.slice(i + remove);
      }
      lintsOrReports(text);
    }),
    { numRuns: 300 },
  );
});

const PATHS = [
  ['spec'],
  ['spec', 'replicas'],
  ['spec', 'strategy'],
  ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
  ['spec', 'template'],
  ['spec', 'template', 'metadata', 'labels'],
  ['spec', 'template', 'spec', 'terminationGracePeriodSeconds'],
  ['spec', 'template', 'spec', 'containers'],
  ['spec', 'template', 'spec', 'containers', 0],
  ['spec', 'template', 'spec', 'containers', 0, 'command'],
  ['spec', 'template', 'spec', 'containers', 0, 'ports'],
  ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe'],
  ['spec', 'template', 'spec', 'containers', 0, 'lifecycle', 'preStop'],
  ['spec', 'template', 'spec', 'containers', 0, 'lifecycle', 'preStop', 'sleep', 'seconds'],
  ['metadata'],
  ['metadata', 'annotations'],
];

function setIn(target: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  path.forEach((step, i) => {
    if (i === path.length - 1) node[step] = value;
    else {
      const next = node[step];
      if (typeof next !== 'object' || next === null) node[step] = typeof path[i + 1] === 'number' ? [] : {};
      node = node[step] as Record<string | number, unknown>;
    }
  });
}

test('well-formed YAML with values of any type at any field: lint never crashes', () => {
  const kinds = fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Service', 'PodDisruptionBudget');
  fc.assert(
    fc.property(
      kinds,
      fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.jsonValue()), { maxLength: 5 }),
      (kind, sets) => {
        const object: Record<string, unknown> = {
          apiVersion:
            kind === 'Pod' || kind === 'Service' ? 'v1' : kind === 'PodDisruptionBudget' ? 'policy/v1' : 'apps/v1',
          kind,
          metadata: { name: 'x' },
          spec: { template: { spec: { containers: [{ name: 'a', image: 'a', ports: [{ containerPort: 80 }] }] } } },
        };
        for (const [path, value] of sets) setIn(object, path, value);
        lintsOrReports(stringify(object));
        lintsOrReports(JSON.stringify(object));
      },
    ),
    { numRuns: 300 },
  );
});

test('arbitrary text: lint never crashes', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => lintsOrReports(text)),
    { numRuns: 300 },
  );
});

test('config: any YAML either loads or is a UserInputError', () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.constantFrom('profile', 'kubernetesVersion', 'marginSeconds', 'app', 'rules', 'dockerfiles', 'other'),
        fc.jsonValue(),
      ),
      (config) => {
        try {
          parseConfig(stringify(config), '.zerodrop.yaml', '/repo', '/repo');
        } catch (error) {
          assert.ok(error instanceof UserInputError, String(error));
        }
      },
    ),
    { numRuns: 300 },
  );
});
