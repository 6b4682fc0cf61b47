/** The objects a rehearsal on the real control plane applies, built from a manifest or from the flags alone. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectiveRollout, getProfile, parseManifests } from '@zerodrop/core';
import { defaultReadiness, defaultSettings } from '@zerodrop/rehearse';
import { LOAD_BALANCER_GATE, workloadObjects } from '../src/rehearsal/objects.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: prod, resourceVersion: "7"}
spec:
  replicas: 4
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop, tier: web}}
    spec:
      serviceAccountName: shop
      nodeSelector: {pool: web}
      initContainers: [{name: migrate, image: shop:1, command: [./migrate]}]
      containers:
        - name: proxy
          image: envoy:1
        - name: app
          image: shop:1
          command: [java, -jar, app.jar]
          args: [--serve]
          workingDir: /srv
          ports: [{name: web, containerPort: 9000}]
          env:
            - {name: MODE, value: prod}
            - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
          readinessProbe: {httpGet: {path: /ready, port: web}, periodSeconds: 2}
          lifecycle:
            preStop: {sleep: {seconds: 5}}
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: prod}
spec:
  type: LoadBalancer
  clusterIP: 10.0.0.7
  selector: {app: shop}
  ports: [{name: metrics, port: 9100, targetPort: 9100}, {name: http, port: 80, targetPort: web, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: prod}
spec: {selector: {app: other}, ports: [{port: 80}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: shop, namespace: prod}
spec: {minAvailable: 3, selector: {matchLabels: {app: shop}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: other, namespace: prod}
spec: {minAvailable: 1, selector: {matchLabels: {app: other}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: shop-config, namespace: prod}
data: {a: b}
`;

function input(overrides: { env?: Record<string, string>; preStop?: boolean; readiness?: boolean } = {}) {
  const settings = defaultSettings(['node', 'server.js', '--port-from-env'], getProfile('kube-proxy'), {
    replicas: 4,
    env: { MODE: 'prod', ...overrides.env },
  });
  settings.rollout = effectiveRollout(4, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  settings.pod.gracePeriodSeconds = 45;
  settings.pod.preStop = { type: 'sleep', seconds: 12 };
  settings.pod.readiness = defaultReadiness('/health/ready');
  return {
    settings,
    cwd: '/home/dev/shop',
    manifest: {
      file: 'deploy.yaml',
      workload: 'shop',
      container: 'app',
      objects: parseManifests(MANIFEST, 'deploy.yaml').objects.map((o) => o.object),
    },
    replace: { preStop: overrides.preStop ?? false, readiness: overrides.readiness ?? false },
  };
}

describe('workloadObjects', () => {
  test('the container runs the app command in the current folder; the manifest keeps the rest', () => {
    const objects = workloadObjects(input(), 'run-1');
    const d = objects.deployment;
    assert.deepEqual(d.metadata, { name: 'shop', namespace: 'run-1' });
    assert.equal(d.spec.replicas, 4);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const pod = d.spec.template.spec;
    assert.equal(pod.terminationGracePeriodSeconds, 45);
    assert.equal(pod.serviceAccountName, undefined);
    assert.equal(pod.nodeSelector, undefined);
    assert.equal(pod.initContainers, undefined);
    assert.deepEqual(
      pod.containers.map((c: { name: string }) => c.name),
      ['app'],
    );
    const c = pod.containers[0];
    assert.deepEqual(c.command, ['node']);
    assert.deepEqual(c.args, ['server.js', '--port-from-env']);
    assert.equal(c.workingDir, '/home/dev/shop');
    assert.equal(c.image, 'shop:1');
    // The manifest's probe and preStop stay (the flags did not replace them).
    assert.deepEqual(c.readinessProbe, { httpGet: { path: '/ready', port: 'web' }, periodSeconds: 2 });
    assert.deepEqual(c.lifecycle.preStop, { sleep: { seconds: 5 } });
    // env: the manifest's (valueFrom too), PORT = the container port, the pod's name.
    assert.deepEqual(c.env, [
      { name: 'MODE', value: 'prod' },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'PORT', value: '9000' },
      { name: 'ZERODROP_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);
    assert.equal(objects.containerPort, 9000);
    assert.match(
      objects.notes.join('\n'),
      /left out, since they name things of another cluster: nodeSelector, serviceAccountName/,
    );
    assert.match(objects.notes.join('\n'), /only container "app" runs/);
    assert.match(objects.notes.join('\n'), /init containers are left out \(migrate\)/);
  });

  test("the manifest's Service becomes a NodePort; its budget and config come along, others' do not", () => {
    const objects = workloadObjects(input(), 'run-1');
    const s = objects.service;
    assert.deepEqual(s.metadata, { name: 'shop', namespace: 'run-1' });
    assert.equal(s.spec.type, 'NodePort');
    assert.equal(s.spec.clusterIP, undefined);
    assert.equal(s.spec.ports[1].nodePort, undefined);
    assert.equal(objects.servicePort, 'http');
    assert.match(objects.notes.join('\n'), /service shop is a NodePort here \(LoadBalancer in the manifest\)/);
    assert.deepEqual(
      objects.others.map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.namespace}`),
      ['PodDisruptionBudget/shop/run-1', 'ConfigMap/shop-config/run-1'],
    );
  });

  test('--env, --prestop-sleep and --ready-path replace what the manifest says', () => {
    const objects = workloadObjects(input({ env: { MODE: 'staging' }, preStop: true, readiness: true }), 'run-2');
    const c = objects.deployment.spec.template.spec.containers[0];
    assert.deepEqual(c.env[0], { name: 'MODE', value: 'staging' });
    assert.deepEqual(c.lifecycle.preStop, { sleep: { seconds: 12 } });
    assert.deepEqual(c.readinessProbe.httpGet, { path: '/health/ready', port: 9000, scheme: 'HTTP' });
    assert.equal(c.readinessProbe.periodSeconds, 1);
  });

  test('without a manifest: a Deployment and a NodePort Service from the flags and Kubernetes defaults', () => {
    const settings = defaultSettings(['node', 'app.js'], getProfile('kube-proxy'));
    const objects = workloadObjects({ settings, cwd: '/work', replace: { preStop: false, readiness: false } }, 'ns');
    const d = objects.deployment;
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.strategy.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
    const c = d.spec.template.spec.containers[0];
    assert.deepEqual(c.ports, [{ name: 'http', containerPort: 8080 }]);
    assert.deepEqual(c.readinessProbe.tcpSocket, { port: 8080 });
    assert.equal(c.lifecycle, undefined);
    assert.deepEqual(objects.service.spec, {
      type: 'NodePort',
      selector: { app: 'app' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    });
    assert.deepEqual(objects.others, []);
    assert.deepEqual(objects.notes, []);
  });

  test("an external load balancer's readiness gate replaces the manifest's; none with --no-readiness-gate", () => {
    const settings = defaultSettings(['node', 'app.js'], getProfile('gke-neg'));
    const base = { settings, cwd: '/work', replace: { preStop: false, readiness: false } };
    const gated = workloadObjects(base, 'ns').deployment.spec.template.spec;
    assert.deepEqual(gated.readinessGates, [{ conditionType: LOAD_BALANCER_GATE }]);
    settings.readinessGate = false;
    assert.equal(workloadObjects(base, 'ns').deployment.spec.template.spec.readinessGates, undefined);
    const kubeProxy = input();
    kubeProxy.manifest.objects = kubeProxy.manifest.objects.map((o) =>
      o.kind === 'Deployment'
        ? {
            ...o,
            spec: {
              ...(o.spec as object),
              template: {
                ...((o.spec as { template: object }).template as object),
                spec: {
                  ...((o.spec as { template: { spec: object } }).template.spec as object),
                  readinessGates: [{ conditionType: 'target-health.elbv2.k8s.aws/shop' }],
                },
              },
            },
          }
        : o,
    );
    const objects = workloadObjects(kubeProxy, 'ns');
    assert.equal(objects.deployment.spec.template.spec.readinessGates, undefined);
    assert.match(
      objects.notes.join('\n'),
      /readiness gates of another cluster's controllers left out: target-health\.elbv2\.k8s\.aws\/shop/,
    );
  });

  test('Recreate is kept as Recreate', () => {
    const settings = defaultSettings(['node', 'app.js'], getProfile('kube-proxy'), {
      rollout: effectiveRollout(2, { type: 'Recreate' }),
    });
    const objects = workloadObjects({ settings, cwd: '/work', replace: { preStop: false, readiness: false } }, 'ns');
    assert.deepEqual(objects.deployment.spec.strategy, { type: 'Recreate' });
  });
});
