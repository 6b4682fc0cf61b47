import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildWorkloadSet, checkFieldTypes, parseManifests, toWorkload } from '../src/index.js';

function read(text: string) {
  const [object] = parseManifests(text, 'm.yaml').objects;
  assert.ok(object);
  return { object, problems: checkFieldTypes(object) };
}

const POD = (container: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: app:1\n${container}`;

test('a field of the wrong type is a problem with its place, read as the text or number it plainly means', () => {
  const { object, problems } = read(POD('      readinessProbe:\n        httpGet: {path: 8080, port: http}\n'));
  assert.deepEqual(
    problems.map((p) => [p.message, p.position]),
    [
      [
        'spec.containers[0].readinessProbe.httpGet.path must be a string, got the number 8080; read as "8080"',
        { line: 9, column: 19 },
      ],
    ],
  );
  const probe = toWorkload(object)!.containers[0]!.readinessProbe!;
  assert.deepEqual(probe.resolved.handler, { type: 'httpGet', path: '8080', port: 'http', scheme: 'HTTP' });
});

test('maps and lists where a scalar belongs, and scalars where a map belongs, read as not written', () => {
  const { object, problems } = read(
    POD(
      '      resources:\n        limits: {memory: {toString: 1}, cpu: [1]}\n      readinessProbe:\n        grpc: {port: 9090, service: {x: 1}}\n      livenessProbe: 5\n',
    ),
  );
  assert.deepEqual(
    problems.map((p) => p.message),
    [
      'spec.containers[0].resources.limits.memory must be a quantity such as 500m or "1Gi", got a map {"toString":1}; read as not written',
      'spec.containers[0].resources.limits.cpu must be a quantity such as 500m or "1Gi", got a list [1]; read as not written',
      'spec.containers[0].readinessProbe.grpc.service must be a string, got a map {"x":1}; read as not written',
      'spec.containers[0].livenessProbe must be a map, got the number 5; read as not written',
    ],
  );
  const container = toWorkload(object)!.containers[0]!;
  assert.deepEqual(container.resources.limits, {});
  assert.deepEqual(container.readinessProbe?.resolved.handler, { type: 'grpc', port: 9090 });
  assert.equal(container.livenessProbe, undefined);
});

test('quoted integers read as numbers; null is not written; fields zerodrop does not read are not checked', () => {
  const { object, problems } = read(
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {tier: null}}\nspec:\n  replicas: "4"\n  paused: [x]\n  minReadySeconds: 1.5\n',
  );
  assert.deepEqual(
    problems.map((p) => p.message),
    [
      'spec.replicas must be an integer, got the string "4"; read as 4',
      'spec.minReadySeconds must be an integer, got the number 1.5; read as not written',
    ],
  );
  assert.equal(toWorkload(object)?.replicas, 4);
});

test('the model reads any plain data without throwing, checked or not', () => {
  const values: unknown[] = [
    null,
    0,
    -1,
    Infinity,
    'x',
    true,
    [],
    {},
    [{}],
    { toString: 1 },
    JSON.parse('{"__proto__": 1}'),
    [[1]],
  ];
  for (const value of values) {
    const text = POD('      ports: []\n');
    const { object } = read(text);
    const spec = object.object.spec as Record<string, unknown>;
    for (const key of ['containers', 'terminationGracePeriodSeconds']) {
      spec[key] = value;
      assert.doesNotThrow(() => buildWorkloadSet([object]));
    }
    const container = { name: value, image: value, ports: value, env: value, command: value, lifecycle: value };
    spec.containers = [container, value];
    assert.doesNotThrow(() => buildWorkloadSet([object]));
  }
});
