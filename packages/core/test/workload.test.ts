import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildWorkloadSet,
  classifyPreStop,
  healthCheckOverride,
  healthChecksOf,
  hpaOf,
  inferProfile,
  ingressesOf,
  parseManifests,
  pdbsOf,
  preStopSecondsOf,
  resolvePort,
  servicesOf,
  terminationOf,
  toWorkload,
} from '../src/index.js';

function setOf(text: string) {
  return buildWorkloadSet(parseManifests(text, 'm.yaml').objects);
}

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  minReadySeconds: 5
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: app
          image: ghcr.io/acme/web:1.4
          command: [node]
          args: [server.js]
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe: {httpGet: {path: /live, port: 8080}, periodSeconds: 5}
          lifecycle: {preStop: {sleep: {seconds: 12}}}
          resources: {limits: {memory: 256Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    cloud.google.com/backend-config: '{"default": "web-bc"}'
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: default}
spec: {selector: {app: web}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}
    matchExpressions: [{key: tier, operator: In, values: [front]}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 9}
---
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: {name: web-bc, namespace: shop}
spec: {healthCheck: {requestPath: /healthz, port: 8080, checkIntervalSec: 3, unhealthyThreshold: 4}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/healthcheck-path: /alb
    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=40
spec:
  ingressClassName: alb
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;

test('a Deployment becomes a workload with defaults and resolved probes', () => {
  const set = setOf(APP);
  const w = set.workloads[0];
  assert.ok(w);
  assert.equal(w.kind, 'Deployment');
  assert.equal(w.namespace, 'shop');
  assert.equal(w.replicas, 4);
  assert.equal(w.minReadySeconds, 5);
  assert.equal(w.progressDeadlineSeconds, 600);
  assert.equal(w.terminationGracePeriodSeconds, 45);
  assert.equal(w.gracePeriodWritten, true);
  assert.deepEqual(w.podLabels, { app: 'web', tier: 'front' });
  const c = w.containers[0];
  assert.ok(c);
  assert.deepEqual(c.command, ['node']);
  assert.deepEqual(c.preStop, { kind: 'sleep', seconds: 12 });
  assert.equal(c.livenessProbe?.resolved.periodSeconds, 5);
  assert.equal(c.readinessProbe?.resolved.failureThreshold, 3);
  assert.equal(resolvePort(c, 'http'), 8080);
  assert.equal(resolvePort(c, 'nope'), undefined);
  assert.deepEqual(c.resources.limits, { memory: '256Mi' });
});

test('links: Service and PDB selectors in the same namespace, HPA target, BackendConfig, Ingress', () => {
  const set = setOf(APP);
  const w = set.workloads[0]!;
  assert.deepEqual(
    servicesOf(set, w).map((s) => s.name),
    ['web'],
  );
  assert.deepEqual(
    pdbsOf(set, w).map((p) => p.name),
    ['web'],
  );
  assert.equal(hpaOf(set, w)?.maxReplicas, 9);
  assert.deepEqual(
    ingressesOf(set, w).map((i) => i.name),
    ['web'],
  );
  const checks = healthChecksOf(set, w);
  assert.deepEqual(
    checks.map((h) => [h.via, h.path, h.port, h.intervalSeconds, h.deregistrationDelaySeconds]),
    [
      ['BackendConfig', '/healthz', 8080, 3, undefined],
      ['Ingress', '/alb', undefined, undefined, 40],
    ],
  );
  assert.deepEqual(checks[1]?.deregistrationDelayField, [
    'metadata',
    'annotations',
    'alb.ingress.kubernetes.io/target-group-attributes',
  ]);
  assert.deepEqual(healthCheckOverride(checks[0]!), { intervalSeconds: 3, unhealthyThreshold: 4 });
  assert.equal(inferProfile(set, w), 'gke-neg');
});

test('GKE HealthCheckPolicy targets a Service', () => {
  const set = setOf(`${APP.split('---')[0]}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
---
apiVersion: networking.gke.io/v1
kind: HealthCheckPolicy
metadata: {name: web, namespace: shop}
spec:
  default:
    checkIntervalSec: 5
    config: {type: HTTP, httpHealthCheck: {requestPath: /ready, port: 8080}}
  targetRef: {group: "", kind: Service, name: web}
`);
  const [hc] = healthChecksOf(set, set.workloads[0]!);
  assert.equal(hc?.via, 'HealthCheckPolicy');
  assert.equal(hc?.path, '/ready');
  assert.deepEqual(hc?.pathField, ['spec', 'default', 'config', 'httpHealthCheck', 'requestPath']);
});

test('every workload kind: defaults for replicas, grace, strategy', () => {
  const set = setOf(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec: {replicas: 3, updateStrategy: {type: RollingUpdate}, template: {spec: {containers: []}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d}
spec: {template: {spec: {containers: []}}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r}
spec: {replicas: 5, strategy: {canary: {maxSurge: "20%", maxUnavailable: 0}}, template: {spec: {containers: []}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec: {template: {spec: {containers: []}}}
`);
  assert.deepEqual(
    set.workloads.map((w) => [w.kind, w.replicas, w.terminationGracePeriodSeconds, w.gracePeriodWritten]),
    [
      ['Pod', 1, 30, false],
      ['StatefulSet', 3, 30, false],
      ['DaemonSet', 1, 30, false],
      ['Rollout', 5, 30, false],
      ['ReplicaSet', 1, 30, false],
    ],
  );
  const rollout = set.workloads[3]!;
  assert.equal(rollout.argoStrategy, 'canary');
  assert.deepEqual(rollout.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '20%', maxUnavailable: 0 } });
  assert.deepEqual(set.workloads[0]!.podSpecPath, ['spec']);
});

test('preStop classification', () => {
  assert.deepEqual(classifyPreStop({ exec: { command: ['sleep', '5'] } }), {
    kind: 'exec',
    command: ['sleep', '5'],
    sleepSeconds: 5,
    needsShell: false,
  });
  assert.deepEqual(classifyPreStop({ exec: { command: ['/bin/sh', '-c', 'sleep 15s && nginx -s quit'] } }), {
    kind: 'exec',
    command: ['/bin/sh', '-c', 'sleep 15s && nginx -s quit'],
    sleepSeconds: 15,
    needsShell: true,
  });
  assert.deepEqual(classifyPreStop({ exec: { command: ['/app/drain'] } }), {
    kind: 'exec',
    command: ['/app/drain'],
    needsShell: false,
  });
  assert.deepEqual(classifyPreStop({ httpGet: { path: '/prestop', port: 8080 } }), {
    kind: 'httpGet',
    path: '/prestop',
    port: 8080,
  });
  assert.deepEqual(classifyPreStop({ tcpSocket: { port: 80 } }), { kind: 'other', handler: 'tcpSocket' });
  assert.equal(classifyPreStop(undefined), undefined);
});

test('terminationOf: preStop seconds from sleep, exec sleep, and the app drain delay for httpGet', () => {
  const set = setOf(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  terminationGracePeriodSeconds: 20
  containers:
    - {name: a, image: x, lifecycle: {preStop: {exec: {command: [sleep, "7"]}}}}
    - {name: b, image: x, lifecycle: {preStop: {httpGet: {path: /prestop, port: 80}}}}
    - {name: c, image: x}
`);
  const w = set.workloads[0]!;
  const app = { drainSeconds: 3, drainDelaySeconds: 9 };
  assert.deepEqual(terminationOf(w, w.containers[0]!, app), {
    preStopSeconds: 7,
    gracePeriodSeconds: 20,
    appDelaySeconds: 0,
    appDrainSeconds: 3,
  });
  // An in-app delay after SIGTERM counts behind a sleep/exec hook or none, never after an httpGet hook (held already).
  const delaying = { ...app, delayAfterSignalSeconds: 4 };
  assert.equal(terminationOf(w, w.containers[0]!, delaying).appDelaySeconds, 4);
  assert.equal(terminationOf(w, w.containers[1]!, delaying).appDelaySeconds, 0);
  assert.equal(terminationOf(w, w.containers[2]!, delaying).appDelaySeconds, 4);
  assert.equal(preStopSecondsOf(w.containers[1]!, app), 9);
  assert.equal(preStopSecondsOf(w.containers[2]!, app), 0);
});

test('objects that run no pods are not workloads', () => {
  const [doc] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', 'c.yaml').objects;
  assert.equal(toWorkload(doc!), undefined);
});

test('pods carry at least their selector’s labels, so a template without labels still links', () => {
  const set = setOf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: bare}
spec:
  selector: {matchLabels: {app: bare}}
  template: {spec: {containers: [{name: c, image: c}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: labelled}
spec:
  selector: {matchLabels: {app: labelled}}
  template: {metadata: {labels: {app: labelled, tier: web}}, spec: {containers: [{name: c, image: c}]}}
`);
  assert.deepEqual(
    set.workloads.map((w) => w.podLabels),
    [{ app: 'bare' }, { app: 'labelled', tier: 'web' }],
  );
});
