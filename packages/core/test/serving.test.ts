import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildWorkloadSet,
  inferProfile,
  parseManifests,
  pdbsOf,
  serves,
  servingContainers,
  servingOf,
  type WorkloadSet,
  workloadsOfPdb,
} from '../src/index.js';

function setOf(...docs: string[]): WorkloadSet {
  return buildWorkloadSet(parseManifests(docs.join('---\n'), 'm.yaml').objects);
}

function workload(set: WorkloadSet, name: string) {
  const w = set.workloads.find((x) => x.name === name);
  assert.ok(w, `workload ${name}`);
  return w;
}

/** A Deployment `name` (labels app: name) with the given container list (flow YAML). */
function deployment(name: string, containers: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}${extra}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: ${containers}
`;
}

function service(name: string, spec: string, metadata = ''): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}${metadata}}
spec: ${spec}
`;
}

const WEB = deployment(
  'web',
  '[{name: app, image: a, ports: [{name: http, containerPort: 8080}]}, {name: metrics, image: m, ports: [{name: prom, containerPort: 9100}]}]',
);
const WORKER = deployment('worker', '[{name: w, image: w}]');
const BOT = deployment('bot', '[{name: b, image: b, ports: [{containerPort: 9090}]}]');

const names = (set: WorkloadSet, name: string) => servingContainers(set, workload(set, name)).map((c) => c.name);

test('with Services in the namespace, a container serves only when a Service port reaches it', () => {
  const set = setOf(WEB, WORKER, BOT, service('web', '{selector: {app: web}, ports: [{port: 80, targetPort: http}]}'));
  assert.deepEqual(names(set, 'web'), ['app'], 'the metrics sidecar is reached by no Service port');
  assert.deepEqual(servingOf(set, workload(set, 'web')).reasons.get(workload(set, 'web').containers[0]!), [
    'Service web port 80 → http',
  ]);
  assert.equal(serves(set, workload(set, 'worker')), false);
  assert.equal(serves(set, workload(set, 'bot')), false, 'a declared port alone is not traffic when Services exist');
  assert.match(servingOf(set, workload(set, 'bot')).none ?? '', /no Service in namespace default selects its pods/);
});

test('without a Service in the namespace, declared ports and network readiness probes decide, per container', () => {
  const probed = deployment(
    'probed',
    '[{name: p, image: p, readinessProbe: {tcpSocket: {port: 5432}}}, {name: e, image: e, readinessProbe: {exec: {command: [true]}}}]',
  );
  const set = setOf(WEB, WORKER, BOT, probed);
  assert.deepEqual(names(set, 'web'), ['app', 'metrics'], 'each container with a port is judged on its own');
  assert.deepEqual(names(set, 'bot'), ['b']);
  assert.deepEqual(names(set, 'probed'), ['p'], 'an exec readiness probe says nothing about traffic');
  assert.deepEqual(names(set, 'worker'), []);
  assert.match(servingOf(set, workload(set, 'worker')).none ?? '', /no Service of namespace default is in the input/);
  // A Service in another namespace does not tell about this one.
  const elsewhere = setOf(BOT, service('x', '{selector: {app: x}, ports: [{port: 1}]}', ', namespace: other'));
  assert.deepEqual(names(elsewhere, 'bot'), ['b']);
});

test('headless Services count only behind an Ingress or a Gateway route', () => {
  const db = deployment('db', '[{name: db, image: d, ports: [{name: sql, containerPort: 5432}]}]');
  const headless = service('db', '{clusterIP: None, selector: {app: db}, ports: [{port: 5432, targetPort: sql}]}');
  assert.deepEqual(names(setOf(db, headless), 'db'), []);
  assert.match(servingOf(setOf(db, headless), workload(setOf(db, headless), 'db')).none ?? '', /only headless/);
  const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec: {rules: [{backendRefs: [{name: db, port: 5432}]}]}
`;
  const set = setOf(db, headless, route);
  assert.deepEqual(names(set, 'db'), ['db']);
  assert.deepEqual(servingOf(set, workload(set, 'db')).reasons.get(workload(set, 'db').containers[0]!), [
    'HTTPRoute r → headless Service db port 5432 → sql',
  ]);
  const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: i}
spec: {defaultBackend: {service: {name: db, port: {name: other}}}}
`;
  assert.deepEqual(names(setOf(db, headless, ingress), 'db'), [], 'the Ingress sends to another port');
});

test('a Service targetPort: by name, by declared number, by the probe on that number, else the first container', () => {
  const two = deployment(
    'two',
    '[{name: proxy, image: p, ports: [{name: web, containerPort: 8443}]}, {name: app, image: a, readinessProbe: {httpGet: {path: /r, port: 3000}}}]',
  );
  const byName = setOf(two, service('two', '{selector: {app: two}, ports: [{port: 443, targetPort: web}]}'));
  assert.deepEqual(names(byName, 'two'), ['proxy']);
  const byProbe = setOf(two, service('two', '{selector: {app: two}, ports: [{port: 80, targetPort: 3000}]}'));
  assert.deepEqual(names(byProbe, 'two'), ['app']);
  const undeclared = setOf(two, service('two', '{selector: {app: two}, ports: [{port: 7000}]}'));
  assert.deepEqual(names(undeclared, 'two'), ['proxy']);
  const missingName = setOf(two, service('two', '{selector: {app: two}, ports: [{port: 80, targetPort: nope}]}'));
  assert.deepEqual(names(missingName, 'two'), []);
  assert.match(servingOf(missingName, workload(missingName, 'two')).none ?? '', /names no container port/);
});

test('ExternalName Services and Services without a selector reach no pod', () => {
  const set = setOf(
    BOT,
    service('ext', '{type: ExternalName, externalName: example.com, selector: {app: bot}}'),
    service('manual', '{ports: [{port: 9090}]}'),
  );
  assert.deepEqual(names(set, 'bot'), []);
});

test('the zerodrop.dev/serves annotation overrides the model', () => {
  const annotated = (value: string) =>
    deployment('bot', '[{name: b, image: b}, {name: c, image: c, ports: [{containerPort: 1}]}]').replace(
      'metadata: {name: bot}',
      `metadata: {name: bot, annotations: {zerodrop.dev/serves: "${value}"}}`,
    );
  assert.deepEqual(names(setOf(annotated('true')), 'bot'), ['c']);
  assert.deepEqual(names(setOf(annotated('b')), 'bot'), ['b']);
  const off = setOf(annotated('false'), service('bot', '{selector: {app: bot}, ports: [{port: 1}]}'));
  assert.deepEqual(names(off, 'bot'), []);
  assert.match(servingOf(off, workload(off, 'bot')).none ?? '', /annotation zerodrop.dev\/serves: "false"/);
});

test('AWS: ip targets are the slow deregistration path; instance targets go through kube-proxy', () => {
  const app = deployment('web', '[{name: app, image: a, ports: [{name: http, containerPort: 8080}]}]');
  const lb = (annotations: string, spec = '') =>
    service(
      'web',
      `{type: LoadBalancer${spec}, selector: {app: web}, ports: [{port: 80, targetPort: http}]}`,
      `, annotations: {${annotations}}`,
    );
  const profile = (...docs: string[]) => {
    const set = setOf(app, ...docs);
    return inferProfile(set, workload(set, 'web'));
  };
  const type = 'service.beta.kubernetes.io/aws-load-balancer-type';
  const target = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
  assert.equal(profile(lb(`${type}: nlb-ip`)), 'aws-nlb');
  assert.equal(profile(lb(`${type}: external, ${target}: ip`)), 'aws-nlb');
  assert.equal(profile(lb(`${type}: external`)), undefined, 'instance targets, externalTrafficPolicy Cluster');
  assert.equal(profile(lb(`${type}: nlb`)), undefined);
  assert.equal(profile(lb(`${type}: nlb`, ', externalTrafficPolicy: Local')), 'aws-nlb-instance');
  const ingress = (annotations: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, annotations: {${annotations}}}
spec: {ingressClassName: alb, defaultBackend: {service: {name: web, port: {number: 80}}}}
`;
  const plain = service('web', '{selector: {app: web}, ports: [{port: 80, targetPort: http}]}');
  assert.equal(profile(plain, ingress('alb.ingress.kubernetes.io/target-type: ip')), 'aws-alb');
  assert.equal(profile(plain, ingress('alb.ingress.kubernetes.io/scheme: internal')), undefined, 'instance by default');
});

test('PodDisruptionBudget selectors: missing selects nothing; {} selects all in policy/v1 and nothing in v1beta1', () => {
  const pdb = (apiVersion: string, selector: string) => `apiVersion: ${apiVersion}
kind: PodDisruptionBudget
metadata: {name: p}
spec: {maxUnavailable: 1${selector}}
`;
  const pdbs = (doc: string) => {
    const set = setOf(WEB, doc);
    return set.pdbs.map((p) => [
      p.selectorForm,
      p.selectsNothing,
      workloadsOfPdb(set, p).length,
      pdbsOf(set, set.workloads[0]!).length,
    ]);
  };
  assert.deepEqual(pdbs(pdb('policy/v1', '')), [['missing', true, 0, 0]]);
  assert.deepEqual(pdbs(pdb('policy/v1', ', selector: null')), [['missing', true, 0, 0]]);
  assert.deepEqual(pdbs(pdb('policy/v1', ', selector: {}')), [['empty', false, 1, 1]]);
  assert.deepEqual(pdbs(pdb('policy/v1beta1', ', selector: {}')), [['empty', true, 0, 0]]);
  assert.deepEqual(pdbs(pdb('policy/v1beta1', ', selector: {matchLabels: {app: web}}')), [
    ['requirements', false, 1, 1],
  ]);
});

test('a Service port for metrics is monitoring, not traffic', () => {
  const controller = deployment('ctl', '[{name: ctl, image: c, ports: [{name: metrics, containerPort: 8080}]}]');
  const metrics = setOf(
    controller,
    service('ctl-metrics', '{selector: {app: ctl}, ports: [{port: 8080, targetPort: metrics}]}'),
  );
  assert.deepEqual(names(metrics, 'ctl'), []);
  assert.match(servingOf(metrics, workload(metrics, 'ctl')).none ?? '', /is a metrics port/);
  const byPortName = setOf(BOT, service('bot', '{selector: {app: bot}, ports: [{name: http-metrics, port: 9090}]}'));
  assert.deepEqual(names(byPortName, 'bot'), []);
  const byServiceName = setOf(BOT, service('bot-metrics', '{selector: {app: bot}, ports: [{port: 9090}]}'));
  assert.deepEqual(names(byServiceName, 'bot'), []);
  // kubebuilder's scaffold: a metrics Service whose port is named https, in front of kube-rbac-proxy.
  const operator = setOf(
    BOT,
    service(
      'op-controller-manager-metrics-service',
      '{selector: {app: bot}, ports: [{name: https, port: 8443, targetPort: 9090}]}',
    ),
  );
  assert.deepEqual(names(operator, 'bot'), []);
  const webhook = setOf(
    BOT,
    service('op-webhook-service', '{selector: {app: bot}, ports: [{port: 443, targetPort: 9090}]}'),
  );
  assert.deepEqual(names(webhook, 'bot'), ['b'], 'admission webhooks are requests the API server sends');
  // The same pods behind a port for users serve, whatever else they expose.
  const both = setOf(
    WEB,
    service(
      'web',
      '{selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}, {name: metrics, port: 9100, targetPort: prom}]}',
    ),
  );
  assert.deepEqual(names(both, 'web'), ['app']);
  // Behind an Ingress, even a port named for metrics carries requests.
  const routed = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: i}
spec: {defaultBackend: {service: {name: ctl-metrics, port: {number: 8080}}}}
`;
  assert.deepEqual(
    names(
      setOf(
        controller,
        service('ctl-metrics', '{selector: {app: ctl}, ports: [{port: 8080, targetPort: metrics}]}'),
        routed,
      ),
      'ctl',
    ),
    ['ctl'],
  );
});
