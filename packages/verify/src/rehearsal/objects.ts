/**
 * The objects a rehearsal on the real control plane applies: the manifest's Deployment (or one built from the
 * flags), its Service (made a NodePort, or one made up), its PodDisruptionBudgets, ConfigMaps and Secrets, all moved
 * to the run's namespace. The container the command after `--` stands for runs that command; its probes, lifecycle,
 * env and grace period stay as the manifest has them, unless a flag replaced them.
 */
import { matchesSelector, type ResolvedProbe } from '@zerodrop/core';
import type { PreStopHook, RehearsalSettings } from '@zerodrop/rehearse';

// Manifests are plain data of any shape: these objects are walked and changed by field name.
// biome-ignore lint/suspicious/noExplicitAny: a Kubernetes object as read from YAML
type KubeObject = Record<string, any>;

/**
 * The readiness gate of an external load balancer (as the AWS Load Balancer Controller's and GKE's NEG gates): the
 * rehearsal's load-balancer model sets this pod condition True once its health check finds the pod healthy.
 */
export const LOAD_BALANCER_GATE = 'zerodrop.dev/load-balancer-healthy';

/** The port a container without one listens on; told to the app in `PORT`. */
export const DEFAULT_CONTAINER_PORT = 8080;

/** Pod-spec fields that name things of another cluster (nodes, service accounts, priority classes): left out. */
const CLUSTER_SPECIFIC = [
  'nodeSelector',
  'affinity',
  'tolerations',
  'topologySpreadConstraints',
  'priorityClassName',
  'serviceAccountName',
  'serviceAccount',
  'runtimeClassName',
  'schedulerName',
  'nodeName',
  'imagePullSecrets',
] as const;

export interface WorkloadInput {
  settings: RehearsalSettings;
  /** The manifest file's objects, with the Deployment and container the rehearsal is about. */
  manifest?: { file: string; workload: string; container: string; objects: readonly KubeObject[] };
  /** The folder the app command runs in (the container's workingDir). */
  cwd: string;
  /** Flags that replace what the manifest says: a preStop hook, a readiness probe. */
  replace: { preStop: boolean; readiness: boolean };
}

export interface WorkloadObjects {
  deployment: KubeObject;
  service: KubeObject;
  /** The Service port the consumers route to (its name, '' when unnamed). */
  servicePort: string;
  /** PodDisruptionBudgets, ConfigMaps and Secrets of the manifest. */
  others: KubeObject[];
  containerPort: number;
  /** What differs from the manifest, to print before the run. */
  notes: string[];
}

function metadataIn(object: KubeObject, namespace: string): KubeObject {
  const { name, labels, annotations } = object.metadata ?? {};
  return { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
}

/**
 * A rehearsal's probe as a pod spec writes it. Its port is the container's: in the rehearsal's settings a probe's
 * port always means the replica's PORT.
 */
export function probeSpec(probe: ResolvedProbe, port: number): KubeObject {
  const timing = {
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    successThreshold: probe.successThreshold,
    failureThreshold: probe.failureThreshold,
  };
  const h = probe.handler;
  if (!h) return { tcpSocket: { port }, ...timing };
  switch (h.type) {
    case 'httpGet':
      return { httpGet: { path: h.path, port, scheme: h.scheme }, ...timing };
    case 'tcpSocket':
      return { tcpSocket: { port }, ...timing };
    case 'exec':
      return { exec: { command: h.command }, ...timing };
    case 'grpc':
      return { grpc: { port, ...(h.service ? { service: h.service } : {}) }, ...timing };
  }
}

/** A rehearsal's preStop hook as a container's lifecycle writes it. */
export function preStopSpec(hook: PreStopHook, port: number): KubeObject {
  if (hook.type === 'sleep') {
    return hook.inContainer
      ? { exec: { command: ['sleep', String(hook.seconds)] } }
      : { sleep: { seconds: hook.seconds } };
  }
  if (hook.type === 'httpGet') return { httpGet: { path: hook.path, port } };
  return { exec: { command: hook.command } };
}

function templateLabels(deployment: KubeObject): Record<string, string> {
  return deployment.spec?.template?.metadata?.labels ?? {};
}

function skeleton(name: string): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name, image: 'zerodrop.local/app' }] } },
    },
  };
}

/** Builds the objects to apply in `namespace`. Pure: the manifest's objects are copied, never changed. */
export function workloadObjects(input: WorkloadInput, namespace: string): WorkloadObjects {
  const { settings, manifest } = input;
  const notes: string[] = [];
  const found = manifest?.objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === manifest.workload);
  const deployment: KubeObject = found ? structuredClone(found) : skeleton('app');
  const name = deployment.metadata?.name as string;
  deployment.metadata = metadataIn(deployment, namespace);
  delete deployment.status;
  const spec = deployment.spec;
  spec.replicas = settings.replicas;
  spec.strategy =
    settings.rollout.type === 'Recreate'
      ? { type: 'Recreate' }
      : {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: settings.rollout.maxSurge, maxUnavailable: settings.rollout.maxUnavailable },
        };
  spec.minReadySeconds = settings.minReadySeconds;
  spec.progressDeadlineSeconds = settings.progressDeadlineSeconds;
  const pod: KubeObject = spec.template.spec;
  pod.terminationGracePeriodSeconds = settings.pod.gracePeriodSeconds;
  const dropped = CLUSTER_SPECIFIC.filter((field) => pod[field] !== undefined);
  for (const field of dropped) delete pod[field];
  if (dropped.length > 0) notes.push(`left out, since they name things of another cluster: ${dropped.join(', ')}`);
  const containers: KubeObject[] = pod.containers ?? [];
  const container = containers.find((c) => c.name === manifest?.container) ?? containers[0];
  if (!container) throw new Error(`deployment ${name} has no container`);
  if (containers.length > 1) {
    notes.push(`only container "${container.name}" runs (the command after -- stands for it); the others are left out`);
  }
  pod.containers = [container];
  if (pod.initContainers?.length) {
    notes.push(`init containers are left out (${pod.initContainers.map((c: KubeObject) => c.name).join(', ')})`);
    delete pod.initContainers;
  }

  // The app command, run in the current folder.
  const [file, ...args] = settings.command;
  container.command = [file];
  container.args = args;
  container.workingDir = input.cwd;
  container.image ??= 'zerodrop.local/app';
  if (!container.ports?.length) container.ports = [{ name: 'http', containerPort: DEFAULT_CONTAINER_PORT }];
  const containerPort = Number(container.ports[0].containerPort);

  // Environment: the manifest's (valueFrom included), PORT = the container port unless it says otherwise, the pod
  // name in ZERODROP_POD, then the --env values (which replace the manifest's of the same name).
  const env: KubeObject[] = [...(container.env ?? [])];
  const set = (entry: KubeObject) => {
    const at = env.findIndex((e) => e.name === entry.name);
    if (at === -1) env.push(entry);
    else env[at] = entry;
  };
  if (!env.some((e) => e.name === 'PORT')) set({ name: 'PORT', value: String(containerPort) });
  set({ name: 'ZERODROP_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  for (const [key, value] of Object.entries(settings.env)) {
    const existing = env.find((e) => e.name === key);
    if (existing?.value !== value) set({ name: key, value });
  }
  container.env = env;

  // Probes and the preStop hook: the manifest's, unless flags replaced them (or there is no manifest).
  const probePort = containerPort;
  if ((!manifest || input.replace.readiness) && settings.pod.readiness) {
    container.readinessProbe = probeSpec(settings.pod.readiness, probePort);
  }
  if (!manifest) {
    if (settings.pod.liveness) container.livenessProbe = probeSpec(settings.pod.liveness, probePort);
    if (settings.pod.startup) container.startupProbe = probeSpec(settings.pod.startup, probePort);
  }
  if (!manifest || input.replace.preStop) {
    const hook = settings.pod.preStop;
    if (hook) container.lifecycle = { ...container.lifecycle, preStop: preStopSpec(hook, containerPort) };
    else if (container.lifecycle) delete container.lifecycle.preStop;
  }

  // Pods are Ready once the external load balancer finds them healthy (its readiness gate), as on the models.
  const gated =
    settings.profile.consumers.at(-1)?.kind === 'external-lb' &&
    settings.profile.healthCheck !== undefined &&
    settings.readinessGate;
  const foreign = (pod.readinessGates ?? []).map((g: KubeObject) => g.conditionType as string);
  if (foreign.length > 0)
    notes.push(`readiness gates of another cluster's controllers left out: ${foreign.join(', ')}`);
  delete pod.readinessGates;
  if (gated) pod.readinessGates = [{ conditionType: LOAD_BALANCER_GATE }];

  // The Service: the manifest's one that selects the pods, made a NodePort; else one made up.
  const labels = templateLabels(deployment);
  const sourceNamespace = found?.metadata?.namespace ?? '';
  const selects = (o: KubeObject, selector: KubeObject | undefined) =>
    (o.metadata?.namespace ?? '') === sourceNamespace &&
    selector !== undefined &&
    matchesSelector(labels, selector as never);
  const manifestService = manifest?.objects.find(
    (o) => o.kind === 'Service' && selects(o, o.spec?.selector ? { matchLabels: o.spec.selector } : undefined),
  );
  let service: KubeObject;
  if (manifestService) {
    service = structuredClone(manifestService);
    service.metadata = metadataIn(service, namespace);
    delete service.status;
    for (const field of ['clusterIP', 'clusterIPs', 'loadBalancerIP', 'externalIPs', 'loadBalancerSourceRanges']) {
      delete service.spec[field];
    }
    if (service.spec.type !== 'NodePort') {
      notes.push(
        `service ${service.metadata.name} is a NodePort here (${service.spec.type ?? 'ClusterIP'} in the manifest): the load enters through it`,
      );
    }
    service.spec.type = 'NodePort';
    for (const port of service.spec.ports ?? []) delete port.nodePort;
  } else {
    service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: {
        type: 'NodePort',
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: container.ports[0].name ?? containerPort }],
      },
    };
  }
  const ports: KubeObject[] = service.spec.ports ?? [];
  const portNames = new Set([String(containerPort), container.ports[0].name].filter(Boolean));
  const servicePort =
    ports.find((p) => portNames.has(String(p.targetPort ?? p.port))) ?? (ports[0] as KubeObject | undefined);
  if (!servicePort) throw new Error(`service ${service.metadata.name} has no port`);

  // Budgets that select the pods, and the configuration the pods may read.
  const others: KubeObject[] = [];
  for (const o of manifest?.objects ?? []) {
    const keep =
      (o.kind === 'PodDisruptionBudget' && selects(o, o.spec?.selector)) ||
      o.kind === 'ConfigMap' ||
      o.kind === 'Secret';
    if (!keep) continue;
    const copy = structuredClone(o);
    copy.metadata = metadataIn(copy, namespace);
    delete copy.status;
    others.push(copy);
  }
  return { deployment, service, servicePort: servicePort.name ?? '', others, containerPort, notes };
}
