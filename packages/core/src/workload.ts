import {
  asNumber,
  asRecord,
  asStringList,
  asStringMap,
  exactList,
  type ManifestDocument,
  type YamlPath,
} from './manifest.js';
import { type Probe, type ResolvedProbe, resolveProbe } from './probes.js';
import type { RolloutStrategy } from './rollout.js';
import { isShell } from './shell.js';
import { DEFAULT_GRACE_PERIOD_SECONDS } from './timeline.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Pod' | 'Rollout';

/** The preStop hook, classified by what it makes the kubelet do. */
export type PreStop =
  | { kind: 'sleep'; seconds: number }
  | { kind: 'exec'; command: string[]; sleepSeconds?: number; needsShell: boolean }
  | { kind: 'httpGet'; path: string; port: number | string }
  | { kind: 'other'; handler: string };

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: string;
}

export interface ProbeInfo {
  raw: Probe;
  resolved: ResolvedProbe;
}

export interface Container {
  name: string;
  /** Index in `containers`. */
  index: number;
  /** Path of this container inside the workload object, e.g. `['spec','template','spec','containers',0]`. */
  path: YamlPath;
  image: string;
  command: string[] | undefined;
  args: string[] | undefined;
  ports: ContainerPort[];
  /** `env` entries with a literal `value` (entries using `valueFrom` are left out: their value is not in the manifest). */
  env: Record<string, string>;
  /** Names of `env` entries whose value comes from `valueFrom` (secrets, config maps, field refs). */
  envFromRefs: string[];
  startupProbe?: ProbeInfo;
  readinessProbe?: ProbeInfo;
  livenessProbe?: ProbeInfo;
  preStop?: PreStop;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

/** A controller or pod that runs containers, with the fields the zero-drop conditions depend on. */
export interface Workload {
  kind: WorkloadKind;
  name: string;
  /** metadata.namespace, `default` when left out. */
  namespace: string;
  file: string;
  doc: ManifestDocument;
  /** spec.replicas (default 1); DaemonSets and Pods count as 1. */
  replicas: number;
  /** The written strategy: `strategy` (Deployment, Rollout) or `updateStrategy` (StatefulSet, DaemonSet). */
  strategy: RolloutStrategy | undefined;
  /** Argo Rollouts: 'canary' or 'blueGreen'. */
  argoStrategy?: 'canary' | 'blueGreen';
  minReadySeconds: number;
  /** Deployment default 600; undefined for kinds without it. */
  progressDeadlineSeconds: number | undefined;
  /** Defaulted to 30 when left out; `gracePeriodWritten` says whether it was written. */
  terminationGracePeriodSeconds: number;
  gracePeriodWritten: boolean;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  /** Path of the pod spec inside the object. */
  podSpecPath: YamlPath;
  containers: Container[];
}

const WORKLOAD_KINDS: Record<string, WorkloadKind> = {
  'apps/Deployment': 'Deployment',
  'apps/StatefulSet': 'StatefulSet',
  'apps/DaemonSet': 'DaemonSet',
  'apps/ReplicaSet': 'ReplicaSet',
  'extensions/Deployment': 'Deployment',
  'extensions/DaemonSet': 'DaemonSet',
  'extensions/ReplicaSet': 'ReplicaSet',
  '/Pod': 'Pod',
  'argoproj.io/Rollout': 'Rollout',
};

/** `apps/v1` → `apps`, `v1` → `` (the core group). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function workloadKindOf(doc: ManifestDocument): WorkloadKind | undefined {
  return WORKLOAD_KINDS[`${apiGroup(doc.apiVersion)}/${doc.kind}`];
}

/** Seconds of the first `sleep N` in a command line (`sleep 5`, `sleep 5s`, `/bin/sleep 10`). */
export function sleepSecondsIn(script: string): number | undefined {
  const m = /(?:^|[\s;&|(])(?:\/usr)?(?:\/bin\/)?sleep\s+(\d+(?:\.\d+)?)s?(?=$|[\s;&|)])/.exec(script);
  return m ? Number(m[1]) : undefined;
}

/** Classifies `lifecycle.preStop`. */
export function classifyPreStop(value: unknown): PreStop | undefined {
  const hook = asRecord(value);
  if (Object.keys(hook).length === 0) return undefined;
  if (hook.sleep !== undefined) return { kind: 'sleep', seconds: asNumber(asRecord(hook.sleep).seconds) ?? 0 };
  if (hook.httpGet !== undefined) {
    const h = asRecord(hook.httpGet);
    const port = typeof h.port === 'number' || typeof h.port === 'string' ? h.port : 80;
    return { kind: 'httpGet', path: typeof h.path === 'string' ? h.path : '/', port };
  }
  if (hook.exec !== undefined) {
    const command = asStringList(asRecord(hook.exec).command) ?? [];
    const needsShell = isShell(command[0]) || (command.length === 1 && /[\s;&|$]/.test(command[0] ?? ''));
    const sleepSeconds = sleepSecondsIn(isShell(command[0]) ? command.slice(1).join(' ') : command.join(' '));
    return sleepSeconds === undefined
      ? { kind: 'exec', command, needsShell }
      : { kind: 'exec', command, sleepSeconds, needsShell };
  }
  return { kind: 'other', handler: Object.keys(hook)[0] ?? 'unknown' };
}

/** Where the pod spec is in a Pod and in a controller: one array each for every workload (they are never changed). */
const POD_SPEC_PATH: YamlPath = Object.freeze(['spec']);
const TEMPLATE_SPEC_PATH: YamlPath = Object.freeze(['spec', 'template', 'spec']);

function probeInfo(value: unknown): ProbeInfo | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const raw = value as Probe;
  return { raw, resolved: resolveProbe(raw) };
}

function toContainer(value: unknown, index: number, podSpecPath: YamlPath): Container {
  const c = asRecord(value);
  const resources = asRecord(c.resources);
  const ports: ContainerPort[] = [];
  if (Array.isArray(c.ports)) {
    for (const p of c.ports) {
      const port = asRecord(p);
      const containerPort = asNumber(port.containerPort);
      if (containerPort === undefined) continue;
      ports.push({
        ...(typeof port.name === 'string' ? { name: port.name } : {}),
        containerPort,
        protocol: typeof port.protocol === 'string' ? port.protocol : 'TCP',
      });
    }
  }
  const env: Record<string, string> = {};
  const envFromRefs: string[] = [];
  if (Array.isArray(c.env)) {
    for (const e of c.env) {
      const entry = asRecord(e);
      if (typeof entry.name !== 'string') continue;
      if (entry.valueFrom !== undefined) envFromRefs.push(entry.name);
      else if (['string', 'number', 'boolean'].includes(typeof entry.value)) env[entry.name] = String(entry.value);
      else if (entry.value === undefined || entry.value === null) env[entry.name] = '';
    }
  }
  const container: Container = {
    name: typeof c.name === 'string' ? c.name : `#${index}`,
    index,
    path: podSpecPath.concat('containers', index),
    image: typeof c.image === 'string' ? c.image : '',
    command: asStringList(c.command),
    args: asStringList(c.args),
    ports: exactList(ports),
    env,
    envFromRefs: exactList(envFromRefs),
    resources: { requests: asStringMap(resources.requests), limits: asStringMap(resources.limits) },
  };
  const startup = probeInfo(c.startupProbe);
  const readiness = probeInfo(c.readinessProbe);
  const liveness = probeInfo(c.livenessProbe);
  const preStop = classifyPreStop(asRecord(c.lifecycle).preStop);
  if (startup) container.startupProbe = startup;
  if (readiness) container.readinessProbe = readiness;
  if (liveness) container.livenessProbe = liveness;
  if (preStop) container.preStop = preStop;
  return container;
}

/** Builds the workload model of a manifest object, or undefined when it runs no pods. */
export function toWorkload(doc: ManifestDocument): Workload | undefined {
  const kind = workloadKindOf(doc);
  if (!kind) return undefined;
  const spec = asRecord(doc.object.spec);
  const isPod = kind === 'Pod';
  const template = asRecord(spec.template);
  const podSpec = isPod ? spec : asRecord(template.spec);
  const podMeta = isPod ? asRecord(doc.object.metadata) : asRecord(template.metadata);
  const podSpecPath = isPod ? POD_SPEC_PATH : TEMPLATE_SPEC_PATH;
  const grace = asNumber(podSpec.terminationGracePeriodSeconds);

  let strategy: RolloutStrategy | undefined;
  let argoStrategy: Workload['argoStrategy'];
  if (kind === 'Deployment')
    strategy = spec.strategy === undefined ? undefined : (asRecord(spec.strategy) as RolloutStrategy);
  else if (kind === 'StatefulSet' || kind === 'DaemonSet')
    strategy = spec.updateStrategy === undefined ? undefined : (asRecord(spec.updateStrategy) as RolloutStrategy);
  else if (kind === 'Rollout') {
    const s = asRecord(spec.strategy);
    if (s.blueGreen !== undefined) argoStrategy = 'blueGreen';
    else if (s.canary !== undefined) {
      argoStrategy = 'canary';
      const canary = asRecord(s.canary);
      const rollingUpdate: NonNullable<RolloutStrategy['rollingUpdate']> = {};
      if (canary.maxSurge !== undefined) rollingUpdate.maxSurge = canary.maxSurge as number | string;
      if (canary.maxUnavailable !== undefined) rollingUpdate.maxUnavailable = canary.maxUnavailable as number | string;
      strategy = { type: 'RollingUpdate', rollingUpdate };
    }
  }

  const containers = Array.isArray(podSpec.containers)
    ? podSpec.containers.map((c, i) => toContainer(c, i, podSpecPath))
    : [];
  const workload: Workload = {
    kind,
    name: doc.name,
    namespace: doc.namespace ?? 'default',
    file: doc.source.file,
    doc,
    replicas: kind === 'DaemonSet' || isPod ? 1 : Math.max(0, Math.floor(asNumber(spec.replicas) ?? 1)),
    strategy,
    minReadySeconds: asNumber(spec.minReadySeconds) ?? 0,
    progressDeadlineSeconds:
      kind === 'Deployment' || kind === 'Rollout' ? (asNumber(spec.progressDeadlineSeconds) ?? 600) : undefined,
    terminationGracePeriodSeconds: grace ?? DEFAULT_GRACE_PERIOD_SECONDS,
    gracePeriodWritten: grace !== undefined,
    // A valid template carries the labels its selector requires (the API server checks it): a partial manifest
    // without template labels still has pods with those.
    podLabels: { ...(isPod ? {} : asStringMap(asRecord(spec.selector).matchLabels)), ...asStringMap(podMeta.labels) },
    podAnnotations: asStringMap(podMeta.annotations),
    podSpecPath,
    containers,
  };
  if (argoStrategy) workload.argoStrategy = argoStrategy;
  return workload;
}

/** Resolves a probe/Service port (number, numeric string, or a named container port) to a number. */
export function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports.find((p) => p.name === port)?.containerPort;
}
