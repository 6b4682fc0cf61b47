import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildWorkloadSet,
  healthChecksOf,
  inferProfile,
  ingressesOf,
  parseManifests,
  servicesOf,
  servingOf,
} from '../src/index.js';

const deployment = (i: number, labels: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}}\nspec:\n  replicas: 2\n  template:\n    metadata: {labels: {${labels}}}\n    spec: {containers: [{name: app, image: "a:1.0.0", ports: [{containerPort: 80}]}]}\n`;
const service = (i: number, selector: string, annotations = '{}') =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: s${i}, annotations: ${annotations}}\nspec: {selector: {${selector}}, ports: [{port: 80}]}\n`;

function setOf(parts: string[]) {
  return buildWorkloadSet(parseManifests(parts.join('---\n'), 'm.yaml').objects);
}

test('workloads selected by the same Services share one list, and what is derived from it', () => {
  const parts: string[] = [];
  for (let i = 0; i < 300; i++) parts.push(deployment(i, `app: web, n: "${i}"`));
  for (let i = 0; i < 300; i++) parts.push(service(i, 'app: web', i === 7 ? "{cloud.google.com/neg: '{}'}" : '{}'));
  parts.push(
    'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  ingressClassName: nginx\n  defaultBackend: {service: {name: s3, port: {number: 80}}}\n',
  );
  const set = setOf(parts);
  const [first, second] = set.workloads;
  assert.ok(first && second);
  assert.equal(servicesOf(set, first).length, 300);
  assert.equal(servicesOf(set, first), servicesOf(set, second));
  assert.equal(healthChecksOf(set, first), healthChecksOf(set, second));
  assert.deepEqual(
    ingressesOf(set, first).map((i) => i.name),
    ['web'],
  );
  // One of the 300 Services is a GKE NEG: it decides, as it did when each workload scanned every Service.
  assert.equal(inferProfile(set, second), 'gke-neg');
  const serving = servingOf(set, second);
  assert.deepEqual(
    serving.containers.map((c) => c.name),
    ['app'],
  );
  assert.equal(serving.reasons.get(second.containers[0]!)?.length, 300);
});

test('Services of several selectors come back in the order they are written', () => {
  const set = setOf([
    deployment(0, 'app: web, tier: front'),
    service(0, 'tier: front'),
    service(1, 'app: web'),
    service(2, 'tier: front'),
    service(3, 'app: other'),
    service(4, ''),
  ]);
  assert.deepEqual(
    servicesOf(set, set.workloads[0]!).map((s) => s.name),
    ['s0', 's1', 's2'],
  );
});
