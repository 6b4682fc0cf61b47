import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureCopy, zerodrop } from './support/cli.js';

const dir = fixtureCopy();

test('text: timeline with numbers, smallest safe values, rollout duration', () => {
  const r = zerodrop(['plan', 'good/web.yaml'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Deployment shop\/web {2}\(good\/web\.yaml:2\)/);
  assert.match(r.stdout, /2s +kube-proxy +stops sending new requests/);
  assert.match(r.stdout, /30s +kubelet +sends SIGKILL/);
  assert.match(r.stdout, /smallest safe values: preStop 3s .* terminationGracePeriodSeconds 9/);
  assert.match(r.stdout, /3 wave\(s\)/);
  assert.match(r.stdout, /every second of preStop then costs 3 second\(s\)/);
});

test('json with --profile: the required values follow the profile', () => {
  const r = zerodrop(['plan', 'good/web.yaml', '--profile', 'aws-alb', '--format', 'json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    workloads: {
      profile: { id: string };
      containers: { timeline: { required: { preStopSeconds: number; gracePeriodSeconds: number } } }[];
      rollout: { duration: { waves: number } };
    }[];
  };
  const [w] = out.workloads;
  assert.equal(w?.profile.id, 'aws-alb');
  assert.deepEqual(w?.containers[0]?.timeline.required, { preStopSeconds: 71, gracePeriodSeconds: 77 });
  assert.equal(w?.rollout.duration.waves, 3);
});

test('bad input: exit 2, message with file:line:col', () => {
  const r = zerodrop(['plan', 'broken.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.yaml:5:1: invalid YAML/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('a workload nothing sends requests to: plan says why, and plans no termination timeline', () => {
  const input = `apiVersion: apps/v1
kind: Deployment
metadata: {name: mailer}
spec:
  selector: {matchLabels: {app: mailer}}
  template:
    metadata: {labels: {app: mailer}}
    spec: {containers: [{name: worker, image: ghcr.io/acme/mailer:1.0}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
`;
  const text = zerodrop(['plan', '-'], { cwd: dir, input });
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /serves no traffic: no Service in namespace default selects its pods; no termination timeline/,
  );
  assert.doesNotMatch(text.stdout, /smallest safe values/);
  const json = JSON.parse(zerodrop(['plan', '-', '--format', 'json'], { cwd: dir, input }).stdout) as {
    workloads: { serving: { containers: unknown[]; none?: string }; containers: unknown[] }[];
  };
  assert.deepEqual(json.workloads[0]?.serving.containers, []);
  assert.deepEqual(json.workloads[0]?.containers, []);
});
