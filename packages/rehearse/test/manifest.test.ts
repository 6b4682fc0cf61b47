import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ManifestInputError, preStopHookOf, readManifest } from '../src/manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'zerodrop-manifest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  minReadySeconds: 5
  progressDeadlineSeconds: 120
  strategy: {rollingUpdate: {maxSurge: "50%", maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: web
          image: web:1
          ports: [{containerPort: 8080, name: http}]
          env:
            - {name: ZERODROP_DRAIN_DELAY_MS, value: "3000"}
            - {name: PORT, value: "8080"}
            - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
          startupProbe: {httpGet: {path: /health/startup, port: http}, failureThreshold: 30, periodSeconds: 2}
          readinessProbe: {httpGet: {path: /health/ready, port: 8080}, periodSeconds: 2}
          livenessProbe: {tcpSocket: {port: 9090}}
          lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 10"]}}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: {cloud.google.com/neg: '{"ingress": true}'}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: networking.gke.io/v1
kind: HealthCheckPolicy
metadata: {name: web}
spec:
  targetRef: {group: "", kind: Service, name: web}
  default:
    checkIntervalSec: 3
    unhealthyThreshold: 4
    config: {type: HTTP, httpHealthCheck: {requestPath: /health/lb}}
`;

describe('readManifest', () => {
  test('replicas, strategy with Kubernetes rounding, probes, preStop, grace, profile and health check', () => {
    const m = readManifest(file('web.yaml', DEPLOYMENT));
    assert.equal(m.workload, 'web');
    assert.equal(m.replicas, 4);
    assert.equal(m.rollout.maxSurge, 2);
    assert.equal(m.rollout.maxUnavailable, 0);
    assert.equal(m.minReadySeconds, 5);
    assert.equal(m.progressDeadlineSeconds, 120);
    assert.equal(m.pod.gracePeriodSeconds, 45);
    assert.deepEqual(m.pod.preStop, { type: 'sleep', seconds: 10, inContainer: true });
    assert.equal(m.pod.startup?.failureThreshold, 30);
    assert.equal(m.pod.readiness?.periodSeconds, 2);
    assert.equal(m.pod.liveness?.handler?.type, 'tcpSocket');
    assert.equal(m.profile.id, 'gke-neg');
    assert.equal(m.profile.healthCheck?.intervalSeconds, 3);
    assert.equal(m.profile.healthCheck?.unhealthyThreshold, 4);
    assert.equal(m.profile.healthCheck?.path, '/health/lb');
    assert.ok(m.notes.some((n) => n.includes('liveness probe') && n.includes('9090')));
    assert.deepEqual(m.env, { ZERODROP_DRAIN_DELAY_MS: '3000' }, 'literal env, without PORT');
    assert.ok(m.notes.some((n) => n.includes('DB_PASSWORD') && n.includes('--env')));
  });

  test('a forced profile wins', () => {
    assert.equal(readManifest(file('web2.yaml', DEPLOYMENT), { profile: 'kube-proxy' }).profile.id, 'kube-proxy');
  });

  test('errors name the file and say what to do', () => {
    assert.throws(
      () => readManifest(join(dir, 'missing.yaml')),
      (e: unknown) => e instanceof ManifestInputError && /missing\.yaml: cannot read/.test(e.message),
    );
    const two = file(
      'two.yaml',
      `${DEPLOYMENT}---\n${DEPLOYMENT.split('---')[0]?.replace('name: web}', 'name: api}')}`,
    );
    assert.throws(() => readManifest(two), /2 Deployments \(web, api\); choose one with --workload NAME/);
    assert.equal(readManifest(two, { workload: 'api' }).workload, 'api');
    assert.throws(() => readManifest(two, { workload: 'nope' }), /no Deployment named "nope"/);
  });

  test('preStop hooks as the kubelet runs them', () => {
    const notes: string[] = [];
    assert.deepEqual(preStopHookOf({ kind: 'sleep', seconds: 5 }, notes), { type: 'sleep', seconds: 5 });
    assert.deepEqual(preStopHookOf({ kind: 'httpGet', path: '/drain', port: 8080 }, notes), {
      type: 'httpGet',
      path: '/drain',
    });
    assert.deepEqual(preStopHookOf({ kind: 'exec', command: ['nginx', '-s', 'quit'], needsShell: false }, notes), {
      type: 'exec',
      command: ['nginx', '-s', 'quit'],
    });
    assert.equal(preStopHookOf({ kind: 'other', handler: 'tcpSocket' }, notes), undefined);
    assert.equal(notes.length, 2);
  });
});
