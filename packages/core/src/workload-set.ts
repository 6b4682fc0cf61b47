import {
  asNumber,
  asRecord,
  asStringList,
  asStringMap,
  exactList,
  type ManifestDocument,
  scalarText,
  type YamlPath,
} from './manifest.js';
import { getProfile, type HealthCheck, type LoadBalancerProfile, type ProfileId } from './profiles.js';
import { apiGroup, toWorkload, type Workload, workloadKindOf } from './workload.js';

/** A Kubernetes label selector: `matchLabels` plus `matchExpressions`. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** True when `labels` satisfy the selector. An empty selector matches everything (as in a PDB). */
export function matchesSelector(labels: Record<string, string>, selector: LabelSelector): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== String(v)) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = (e.values ?? []).map(String);
    const value = labels[e.key];
    const ok =
      e.operator === 'In'
        ? has && values.includes(value ?? '')
        : e.operator === 'NotIn'
          ? !has || !values.includes(value ?? '')
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: number | string;
}

export interface Service {
  doc: ManifestDocument;
  name: string;
  namespace: string;
  type: string;
  /** spec.selector; an empty map selects nothing (a Service without a selector has manual endpoints). */
  selector: Record<string, string>;
  ports: ServicePort[];
  annotations: Record<string, string>;
}

export interface PodDisruptionBudget {
  doc: ManifestDocument;
  name: string;
  namespace: string;
  selector: LabelSelector;
  /**
   * How the selector is written: `missing` (absent or null), `empty` (`{}`, no requirement) or `requirements`. A
   * missing selector selects no pod; `{}` selects every pod of the namespace in policy/v1 and none in policy/v1beta1.
   */
  selectorForm: 'missing' | 'empty' | 'requirements';
  /** True when the selector, as the disruption controller reads it, matches no pod at all. */
  selectsNothing: boolean;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  unhealthyPodEvictionPolicy?: string;
}

export interface HorizontalPodAutoscaler {
  doc: ManifestDocument;
  name: string;
  namespace: string;
  target: { kind: string; name: string };
  minReplicas: number;
  maxReplicas: number | undefined;
}

export interface Ingress {
  doc: ManifestDocument;
  name: string;
  namespace: string;
  className: string | undefined;
  annotations: Record<string, string>;
  /** Names of the Services the rules and default backend send to. */
  serviceNames: string[];
}

/** A health check an external load balancer runs against the pods, wherever it was configured. */
export interface LoadBalancerHealthCheck {
  /** The object that configures it. */
  doc: ManifestDocument;
  via: 'HealthCheckPolicy' | 'BackendConfig' | 'Ingress' | 'Service' | 'TargetGroupBinding';
  path?: string;
  port?: number | string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  unhealthyThreshold?: number;
  healthyThreshold?: number;
  /** AWS target group deregistration delay, when set. */
  deregistrationDelaySeconds?: number;
  /** Where the deregistration delay is written in `doc` (the target-group-attributes annotation). */
  deregistrationDelayField?: YamlPath;
  /** Where the path / port are written in `doc`, for findings and fixes. */
  pathField?: YamlPath;
  portField?: YamlPath;
  /** The Service the check belongs to (its port mapping turns a Service port into a container port). */
  service: Service;
}

/** Every object of a lint run, indexed, with the links between workloads and what selects or targets them. */
export interface WorkloadSet {
  objects: ManifestDocument[];
  workloads: Workload[];
  services: Service[];
  pdbs: PodDisruptionBudget[];
  hpas: HorizontalPodAutoscaler[];
  ingresses: Ingress[];
  /** GKE HealthCheckPolicy, GKE BackendConfig, AWS TargetGroupBinding, Namespace: kept as parsed objects. */
  healthCheckPolicies: ManifestDocument[];
  backendConfigs: ManifestDocument[];
  targetGroupBindings: ManifestDocument[];
  namespaces: ManifestDocument[];
}

const ns = (doc: ManifestDocument) => doc.namespace ?? 'default';

function intOrString(value: unknown): number | string | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

function toService(doc: ManifestDocument): Service {
  const spec = asRecord(doc.object.spec);
  const ports: ServicePort[] = [];
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    const port = asRecord(p);
    const n = asNumber(port.port);
    if (n === undefined) continue;
    ports.push({
      ...(typeof port.name === 'string' ? { name: port.name } : {}),
      port: n,
      targetPort: intOrString(port.targetPort) ?? n,
    });
  }
  return {
    doc,
    name: doc.name,
    namespace: ns(doc),
    type: typeof spec.type === 'string' ? spec.type : 'ClusterIP',
    selector: asStringMap(spec.selector),
    ports: exactList(ports),
    annotations: asStringMap(asRecord(doc.object.metadata).annotations),
  };
}

function toPdb(doc: ManifestDocument): PodDisruptionBudget {
  const spec = asRecord(doc.object.spec);
  const sel = asRecord(spec.selector);
  const selector: LabelSelector = { matchLabels: asStringMap(sel.matchLabels) };
  if (Array.isArray(sel.matchExpressions)) {
    selector.matchExpressions = sel.matchExpressions.map((e) => {
      const r = asRecord(e);
      return {
        key: scalarText(r.key) ?? '',
        operator: scalarText(r.operator) ?? '',
        values: asStringList(r.values) ?? [],
      };
    });
  }
  const written = spec.selector;
  const selectorForm: PodDisruptionBudget['selectorForm'] =
    written === undefined || written === null || typeof written !== 'object' || Array.isArray(written)
      ? 'missing'
      : Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
        ? 'empty'
        : 'requirements';
  const selectsNothing =
    selectorForm === 'missing' || (selectorForm === 'empty' && doc.apiVersion === 'policy/v1beta1');
  const pdb: PodDisruptionBudget = {
    doc,
    name: doc.name,
    namespace: ns(doc),
    selector,
    selectorForm,
    selectsNothing,
  };
  const min = intOrString(spec.minAvailable);
  const max = intOrString(spec.maxUnavailable);
  if (min !== undefined) pdb.minAvailable = min;
  if (max !== undefined) pdb.maxUnavailable = max;
  if (typeof spec.unhealthyPodEvictionPolicy === 'string')
    pdb.unhealthyPodEvictionPolicy = spec.unhealthyPodEvictionPolicy;
  return pdb;
}

function toHpa(doc: ManifestDocument): HorizontalPodAutoscaler {
  const spec = asRecord(doc.object.spec);
  const ref = asRecord(spec.scaleTargetRef);
  return {
    doc,
    name: doc.name,
    namespace: ns(doc),
    target: { kind: scalarText(ref.kind) ?? '', name: scalarText(ref.name) ?? '' },
    minReplicas: asNumber(spec.minReplicas) ?? 1,
    maxReplicas: asNumber(spec.maxReplicas),
  };
}

function toIngress(doc: ManifestDocument): Ingress {
  const spec = asRecord(doc.object.spec);
  const names = new Set<string>();
  const backend = (b: unknown) => {
    const r = asRecord(b);
    const svc = asRecord(r.service).name ?? r.serviceName;
    if (typeof svc === 'string') names.add(svc);
  };
  backend(spec.defaultBackend ?? spec.backend);
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    const paths = asRecord(asRecord(rule).http).paths;
    for (const p of Array.isArray(paths) ? paths : []) backend(asRecord(p).backend);
  }
  const annotations = asStringMap(asRecord(doc.object.metadata).annotations);
  const className =
    typeof spec.ingressClassName === 'string' ? spec.ingressClassName : annotations['kubernetes.io/ingress.class'];
  return { doc, name: doc.name, namespace: ns(doc), className, annotations, serviceNames: [...names] };
}

/**
 * Objects, by `group/kind`, whose plain data the model reads besides workloads: what buildWorkloadSet indexes,
 * the routes that send to a Service (serving.ts) and the pod templates of Jobs, CronJobs and ReplicationControllers
 * (pod-owners.ts). Of any other object only its apiVersion, kind, name and namespace are ever looked at.
 */
const KINDS_READ = new Set([
  '/Service',
  'policy/PodDisruptionBudget',
  'autoscaling/HorizontalPodAutoscaler',
  'networking.k8s.io/Ingress',
  'extensions/Ingress',
  'networking.gke.io/HealthCheckPolicy',
  'cloud.google.com/BackendConfig',
  'elbv2.k8s.aws/TargetGroupBinding',
  '/Namespace',
  'batch/Job',
  'batch/CronJob',
  '/ReplicationController',
  'gateway.networking.k8s.io/HTTPRoute',
  'gateway.networking.k8s.io/GRPCRoute',
  'gateway.networking.k8s.io/TCPRoute',
  'gateway.networking.k8s.io/TLSRoute',
  'gateway.networking.k8s.io/UDPRoute',
]);

/**
 * True when the model (and so a rule) may read the object's plain data; false for objects it knows by kind and name
 * alone (RBAC, ConfigMaps, Secrets, storage, most custom resources): a run that only reports can let their data go.
 * A kind the model starts to read must be added here.
 */
export function modelReadsData(doc: ManifestDocument): boolean {
  return workloadKindOf(doc) !== undefined || KINDS_READ.has(`${apiGroup(doc.apiVersion)}/${doc.kind}`);
}

/** Indexes parsed objects and builds the workload model of every object that runs pods. */
export function buildWorkloadSet(objects: ManifestDocument[]): WorkloadSet {
  const set: WorkloadSet = {
    objects,
    workloads: [],
    services: [],
    pdbs: [],
    hpas: [],
    ingresses: [],
    healthCheckPolicies: [],
    backendConfigs: [],
    targetGroupBindings: [],
    namespaces: [],
  };
  for (const doc of objects) {
    const group = apiGroup(doc.apiVersion);
    const workload = toWorkload(doc);
    if (workload) set.workloads.push(workload);
    else if (group === '' && doc.kind === 'Service') set.services.push(toService(doc));
    else if (group === 'policy' && doc.kind === 'PodDisruptionBudget') set.pdbs.push(toPdb(doc));
    else if (group === 'autoscaling' && doc.kind === 'HorizontalPodAutoscaler') set.hpas.push(toHpa(doc));
    else if ((group === 'networking.k8s.io' || group === 'extensions') && doc.kind === 'Ingress')
      set.ingresses.push(toIngress(doc));
    else if (group === 'networking.gke.io' && doc.kind === 'HealthCheckPolicy') set.healthCheckPolicies.push(doc);
    else if (group === 'cloud.google.com' && doc.kind === 'BackendConfig') set.backendConfigs.push(doc);
    else if (group === 'elbv2.k8s.aws' && doc.kind === 'TargetGroupBinding') set.targetGroupBindings.push(doc);
    else if (group === '' && doc.kind === 'Namespace') set.namespaces.push(doc);
  }
  return set;
}

/**
 * Objects of one kind grouped by namespace, built once per set: linking every workload to every Service by scanning
 * the whole list would be quadratic on large manifests.
 */
const byNamespaceCache = new WeakMap<object[], Map<string, object[]>>();

function inNamespace<T extends { namespace: string }>(items: T[], namespace: string): T[] {
  let index = byNamespaceCache.get(items);
  if (!index) {
    index = new Map();
    for (const item of items) {
      const list = index.get(item.namespace);
      if (list) list.push(item);
      else index.set(item.namespace, [item]);
    }
    byNamespaceCache.set(items, index);
  }
  return (index.get(namespace) ?? []) as T[];
}

const labelKey = (key: string, value: unknown) => `${key}\u0000${String(value)}`;

/**
 * Selectors of one kind by namespace, each under the first `key=value` it requires (`always` when it requires none):
 * a selector can only match pod labels that contain its first pair, so matching looks at a few candidates, not at
 * every selector of the namespace.
 */
interface SelectorIndex<T> {
  byLabel: Map<string, T[]>;
  always: T[];
  order: Map<T, number>;
}

const selectorIndexCache = new WeakMap<object[], Map<string, SelectorIndex<object>>>();

function selectorsMatching<T extends { namespace: string }>(
  items: T[],
  namespace: string,
  labels: Record<string, string>,
  matchLabelsOf: (item: T) => Record<string, string> | undefined,
): T[] {
  let byNamespace = selectorIndexCache.get(items);
  if (!byNamespace) {
    byNamespace = new Map();
    selectorIndexCache.set(items, byNamespace);
  }
  let index = byNamespace.get(namespace) as SelectorIndex<T> | undefined;
  if (!index) {
    index = { byLabel: new Map(), always: [], order: new Map() };
    for (const item of inNamespace(items, namespace)) {
      index.order.set(item, index.order.size);
      const first = Object.entries(matchLabelsOf(item) ?? {})[0];
      if (!first) index.always.push(item);
      else {
        const key = labelKey(first[0], first[1]);
        const list = index.byLabel.get(key);
        if (list) list.push(item);
        else index.byLabel.set(key, [item]);
      }
    }
    byNamespace.set(namespace, index as SelectorIndex<object>);
  }
  const candidates = [...index.always];
  for (const [k, v] of Object.entries(labels)) candidates.push(...(index.byLabel.get(labelKey(k, v)) ?? []));
  const order = index.order;
  return candidates.sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Workloads of one namespace under each `key=value` of their pod labels. */
const labelIndexCache = new WeakMap<Workload[], Map<string, Map<string, Workload[]>>>();

function workloadsWithLabel(set: WorkloadSet, namespace: string, key: string, value: unknown): Workload[] {
  let byNamespace = labelIndexCache.get(set.workloads);
  if (!byNamespace) {
    byNamespace = new Map();
    labelIndexCache.set(set.workloads, byNamespace);
  }
  let index = byNamespace.get(namespace);
  if (!index) {
    index = new Map();
    for (const w of inNamespace(set.workloads, namespace)) {
      for (const [k, v] of Object.entries(w.podLabels)) {
        const list = index.get(labelKey(k, v));
        if (list) list.push(w);
        else index.set(labelKey(k, v), [w]);
      }
    }
    byNamespace.set(namespace, index);
  }
  return index.get(labelKey(key, value)) ?? [];
}

const servicesCache = new WeakMap<Workload, { set: WorkloadSet; services: Service[] }>();

/** Services of one namespace with the same selector: they select the same pods. */
interface ServiceGroup {
  id: number;
  namespace: string;
  selector: Record<string, string>;
  services: Service[];
}

const serviceGroupsCache = new WeakMap<Service[], { groups: ServiceGroup[]; order: Map<Service, number> }>();

/** The Services of a set grouped by namespace and selector (a Service without a selector selects no pod). */
function serviceGroups(services: Service[]): { groups: ServiceGroup[]; order: Map<Service, number> } {
  let cached = serviceGroupsCache.get(services);
  if (!cached) {
    const byKey = new Map<string, ServiceGroup>();
    const order = new Map<Service, number>();
    for (const s of services) {
      order.set(s, order.size);
      const entries = Object.entries(s.selector);
      if (entries.length === 0) continue;
      const key = `${s.namespace}\u0000${JSON.stringify(entries.sort((a, b) => a[0].localeCompare(b[0])))}`;
      let group = byKey.get(key);
      if (!group) {
        group = { id: byKey.size, namespace: s.namespace, selector: s.selector, services: [] };
        byKey.set(key, group);
      }
      group.services.push(s);
    }
    cached = { groups: [...byKey.values()], order };
    serviceGroupsCache.set(services, cached);
  }
  return cached;
}

/** The lists servicesOf returns, by the selector groups they hold: workloads selected alike share one list. */
const sharedServicesCache = new WeakMap<WorkloadSet, Map<string, Service[]>>();

/**
 * Services in the workload's namespace whose selector matches its pod labels. Workloads matched by the same
 * selectors get the same list (the same array), so what is derived from a list (health checks, Ingresses, the
 * load-balancer profile) is derived once: 2,000 workloads behind 2,000 Services of one selector cost 2,000 + 2,000
 * steps, not 4,000,000.
 */
export function servicesOf(set: WorkloadSet, w: Workload): Service[] {
  const cached = servicesCache.get(w);
  if (cached?.set === set) return cached.services;
  const { groups, order } = serviceGroups(set.services);
  const matched = selectorsMatching(groups, w.namespace, w.podLabels, (g) => g.selector).filter((g) =>
    matchesSelector(w.podLabels, { matchLabels: g.selector }),
  );
  let shared = sharedServicesCache.get(set);
  if (!shared) {
    shared = new Map();
    sharedServicesCache.set(set, shared);
  }
  const key = `${w.namespace}\u0000${matched.map((g) => g.id).join(',')}`;
  let services = shared.get(key);
  if (!services) {
    services =
      matched.length === 1
        ? matched[0]!.services
        : matched.flatMap((g) => g.services).sort((a, b) => order.get(a)! - order.get(b)!);
    shared.set(key, services);
  }
  servicesCache.set(w, { set, services });
  return services;
}

const perServicesCache = new WeakMap<Service[], Map<string, unknown>>();

/**
 * What is derived from one list of Services (as servicesOf returns it), computed once per list. The lists belong to
 * one set of objects, so nothing derived from another set can be returned.
 */
export function perServices<T>(services: Service[], what: string, compute: () => T): T {
  let cache = perServicesCache.get(services);
  if (!cache) {
    cache = new Map();
    perServicesCache.set(services, cache);
  }
  if (!cache.has(what)) cache.set(what, compute());
  return cache.get(what) as T;
}

/** PodDisruptionBudgets in the workload's namespace whose selector matches its pod labels. */
export function pdbsOf(set: WorkloadSet, w: Workload): PodDisruptionBudget[] {
  return selectorsMatching(set.pdbs, w.namespace, w.podLabels, (p) => p.selector.matchLabels).filter(
    (p) => !p.selectsNothing && matchesSelector(w.podLabels, p.selector),
  );
}

/** Workloads a PDB selects. */
export function workloadsOfPdb(set: WorkloadSet, pdb: PodDisruptionBudget): Workload[] {
  if (pdb.selectsNothing) return [];
  const first = Object.entries(pdb.selector.matchLabels ?? {})[0];
  const candidates = first
    ? workloadsWithLabel(set, pdb.namespace, first[0], first[1])
    : inNamespace(set.workloads, pdb.namespace);
  return candidates.filter((w) => matchesSelector(w.podLabels, pdb.selector));
}

/** The HorizontalPodAutoscaler whose scaleTargetRef names the workload. */
export function hpaOf(set: WorkloadSet, w: Workload): HorizontalPodAutoscaler | undefined {
  return inNamespace(set.hpas, w.namespace).find((h) => h.target.kind === w.kind && h.target.name === w.name);
}

/** Ingresses that send to one of the workload's Services. */
export function ingressesOf(set: WorkloadSet, w: Workload): Ingress[] {
  const services = servicesOf(set, w);
  if (services.length === 0) return [];
  return perServices(services, 'ingresses', () => {
    const names = new Set(services.map((s) => s.name));
    return inNamespace(set.ingresses, w.namespace).filter((i) => i.serviceNames.some((n) => names.has(n)));
  });
}

/** The BackendConfig names a Service points at (`cloud.google.com/backend-config`: default or per port). */
function backendConfigNames(service: Service): string[] {
  const raw =
    service.annotations['cloud.google.com/backend-config'] ??
    service.annotations['beta.cloud.google.com/backend-config'];
  if (!raw) return [];
  try {
    const parsed = asRecord(JSON.parse(raw));
    const names = asStringList(Object.values(asRecord(parsed.ports))) ?? [];
    if (typeof parsed.default === 'string') names.push(parsed.default);
    return names;
  } catch {
    return [];
  }
}

const AWS_HC = {
  path: ['healthcheck-path'],
  port: ['healthcheck-port'],
  interval: ['healthcheck-interval-seconds', 'healthcheck-interval'],
  timeout: ['healthcheck-timeout-seconds', 'healthcheck-timeout'],
  unhealthy: ['unhealthy-threshold-count', 'healthcheck-unhealthy-threshold'],
  healthy: ['healthy-threshold-count', 'healthcheck-healthy-threshold'],
};

/** Reads AWS LB Controller annotations with the given prefix into a health check, or undefined when none is set. */
function awsHealthCheck(
  doc: ManifestDocument,
  via: 'Ingress' | 'Service',
  prefix: string,
  service: Service,
): LoadBalancerHealthCheck | undefined {
  const annotations = asStringMap(asRecord(doc.object.metadata).annotations);
  const pick = (keys: string[]) => {
    for (const k of keys)
      if (annotations[prefix + k] !== undefined) return { key: prefix + k, value: annotations[prefix + k]! };
    return undefined;
  };
  const hc: LoadBalancerHealthCheck = { doc, via, service };
  const path = pick(AWS_HC.path);
  const port = pick(AWS_HC.port);
  if (path) {
    hc.path = path.value;
    hc.pathField = ['metadata', 'annotations', path.key];
  }
  if (port && port.value !== 'traffic-port') {
    hc.port = asNumber(port.value) ?? port.value;
    hc.portField = ['metadata', 'annotations', port.key];
  }
  const setNum = (
    field: 'intervalSeconds' | 'timeoutSeconds' | 'unhealthyThreshold' | 'healthyThreshold',
    keys: string[],
  ) => {
    const v = asNumber(pick(keys)?.value);
    if (v !== undefined) hc[field] = v;
  };
  setNum('intervalSeconds', AWS_HC.interval);
  setNum('timeoutSeconds', AWS_HC.timeout);
  setNum('unhealthyThreshold', AWS_HC.unhealthy);
  setNum('healthyThreshold', AWS_HC.healthy);
  const attributesKey = `${prefix}target-group-attributes`;
  const delay = /deregistration_delay\.timeout_seconds=(\d+)/.exec(annotations[attributesKey] ?? '');
  if (delay) {
    hc.deregistrationDelaySeconds = Number(delay[1]);
    hc.deregistrationDelayField = ['metadata', 'annotations', attributesKey];
  }
  return Object.keys(hc).length > 3 ? hc : undefined;
}

const serviceChecksCache = new WeakMap<Service, { set: WorkloadSet; checks: LoadBalancerHealthCheck[] }>();

/** Every external load-balancer health check configured for one Service, wherever it is written. */
function healthChecksOfService(set: WorkloadSet, service: Service): LoadBalancerHealthCheck[] {
  const cached = serviceChecksCache.get(service);
  if (cached?.set === set) return cached.checks;
  const out: LoadBalancerHealthCheck[] = [];
  for (const doc of set.healthCheckPolicies) {
    const spec = asRecord(doc.object.spec);
    const ref = asRecord(spec.targetRef);
    if (ns(doc) !== service.namespace || ref.kind !== 'Service' || ref.name !== service.name) continue;
    const def = asRecord(spec.default);
    const config = asRecord(def.config);
    const type = typeof config.type === 'string' ? config.type : 'HTTP';
    const httpKey = `${type.toLowerCase()}HealthCheck`;
    const http = asRecord(config[httpKey] ?? config.httpHealthCheck);
    const hc: LoadBalancerHealthCheck = { doc, via: 'HealthCheckPolicy', service };
    const base: YamlPath = ['spec', 'default', 'config', httpKey];
    if (typeof http.requestPath === 'string') {
      hc.path = http.requestPath;
      hc.pathField = [...base, 'requestPath'];
    }
    const port = asNumber(http.port);
    if (port !== undefined) {
      hc.port = port;
      hc.portField = [...base, 'port'];
    }
    assignNum(hc, 'intervalSeconds', def.checkIntervalSec);
    assignNum(hc, 'timeoutSeconds', def.timeoutSec);
    assignNum(hc, 'unhealthyThreshold', def.unhealthyThreshold);
    assignNum(hc, 'healthyThreshold', def.healthyThreshold);
    out.push(hc);
  }
  const names = backendConfigNames(service);
  for (const doc of set.backendConfigs) {
    if (ns(doc) !== service.namespace || !names.includes(doc.name)) continue;
    const check = asRecord(asRecord(doc.object.spec).healthCheck);
    const hc: LoadBalancerHealthCheck = { doc, via: 'BackendConfig', service };
    if (typeof check.requestPath === 'string') {
      hc.path = check.requestPath;
      hc.pathField = ['spec', 'healthCheck', 'requestPath'];
    }
    const port = asNumber(check.port);
    if (port !== undefined) {
      hc.port = port;
      hc.portField = ['spec', 'healthCheck', 'port'];
    }
    assignNum(hc, 'intervalSeconds', check.checkIntervalSec);
    assignNum(hc, 'timeoutSeconds', check.timeoutSec);
    assignNum(hc, 'unhealthyThreshold', check.unhealthyThreshold);
    assignNum(hc, 'healthyThreshold', check.healthyThreshold);
    out.push(hc);
  }
  const fromService =
    awsHealthCheck(service.doc, 'Service', 'alb.ingress.kubernetes.io/', service) ??
    awsHealthCheck(service.doc, 'Service', 'service.beta.kubernetes.io/aws-load-balancer-', service);
  if (fromService) out.push(fromService);
  for (const ingress of inNamespace(set.ingresses, service.namespace)) {
    if (!ingress.serviceNames.includes(service.name)) continue;
    const hc = awsHealthCheck(ingress.doc, 'Ingress', 'alb.ingress.kubernetes.io/', service);
    if (hc) out.push(hc);
  }
  serviceChecksCache.set(service, { set, checks: out });
  return out;
}

/** Every external load-balancer health check configured for the workload's Services. */
export function healthChecksOf(set: WorkloadSet, w: Workload): LoadBalancerHealthCheck[] {
  const services = servicesOf(set, w);
  return perServices(services, 'healthChecks', () => services.flatMap((s) => healthChecksOfService(set, s)));
}

function assignNum(
  hc: LoadBalancerHealthCheck,
  field: 'intervalSeconds' | 'timeoutSeconds' | 'unhealthyThreshold' | 'healthyThreshold',
  value: unknown,
): void {
  const n = asNumber(value);
  if (n !== undefined) hc[field] = n;
}

/** TargetGroupBindings whose serviceRef names one of the workload's Services. */
export function targetGroupBindingsOf(set: WorkloadSet, w: Workload): ManifestDocument[] {
  const services = servicesOf(set, w);
  if (services.length === 0) return [];
  return perServices(services, 'targetGroupBindings', () => {
    const names = new Set(services.map((s) => s.name));
    return set.targetGroupBindings.filter(
      (t) => ns(t) === w.namespace && names.has(scalarText(asRecord(asRecord(t.object.spec).serviceRef).name) ?? ''),
    );
  });
}

/**
 * The load-balancer profile the manifests point to, when they say: GKE NEG objects or annotations, AWS LB
 * Controller objects or annotations, an nginx Ingress, Istio injection. Undefined when nothing tells.
 */
export function inferProfile(set: WorkloadSet, w: Workload): ProfileId | undefined {
  const services = servicesOf(set, w);
  const fromServices = perServices(services, 'profile', () => profileOfServices(set, w, services));
  if (fromServices) return fromServices;
  if (w.podAnnotations['sidecar.istio.io/inject'] === 'true') return 'istio';
  const namespace = set.namespaces.find((n) => n.name === w.namespace);
  const nsLabels = asStringMap(asRecord(namespace?.object.metadata).labels);
  if (nsLabels['istio-injection'] === 'enabled' && w.podAnnotations['sidecar.istio.io/inject'] !== 'false')
    return 'istio';
  return undefined;
}

/**
 * The profile a workload's Services point to (the same for every workload they select; `w` only stands for them):
 * GKE NEG, AWS load balancers with their target types, an nginx Ingress. Undefined when they do not say.
 */
function profileOfServices(set: WorkloadSet, w: Workload, services: Service[]): ProfileId | undefined {
  if (healthChecksOf(set, w).some((h) => h.via === 'HealthCheckPolicy' || h.via === 'BackendConfig')) return 'gke-neg';
  if (services.some((s) => s.annotations['cloud.google.com/neg'] !== undefined)) return 'gke-neg';
  const ingresses = ingressesOf(set, w);
  // AWS ip targets are the pods: deregistering one is the load balancer's slow path. Instance targets are the nodes:
  // a pod leaves through kube-proxy, like any Service, unless externalTrafficPolicy Local makes the load balancer's
  // health check of each node decide.
  const albIp = ingresses.some(
    (i) =>
      i.className === 'alb' && services.some((s) => i.serviceNames.includes(s.name) && awsAlbTargetType(i, s) === 'ip'),
  );
  // A TargetGroupBinding that leaves targetType out is taken as ip, its common use.
  const tgbIp = targetGroupBindingsOf(set, w).some((t) => asRecord(t.object.spec).targetType !== 'instance');
  if (albIp || tgbIp) return 'aws-alb';
  const nlbTargets = services.map(awsNlbTargetType);
  if (nlbTargets.includes('ip')) return 'aws-nlb';
  if (services.some((s, i) => nlbTargets[i] === 'instance' && externalTrafficLocal(s))) return 'aws-nlb-instance';
  if (ingresses.some((i) => i.className === 'nginx')) return 'ingress-nginx';
  return undefined;
}

const AWS_LB_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
const AWS_NLB_TARGET_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
const AWS_ALB_TARGET_TYPE = 'alb.ingress.kubernetes.io/target-type';

/**
 * The targets of the AWS NLB a Service of type LoadBalancer gets, when it gets one: `nlb-ip` and an
 * `nlb-target-type: ip` register the pods; `nlb` (the in-tree controller), `external` and the controller's
 * `loadBalancerClass` default to instance targets, the nodes.
 */
export function awsNlbTargetType(service: Service): 'ip' | 'instance' | undefined {
  const type = service.annotations[AWS_LB_TYPE];
  const lbClass = asRecord(service.doc.object.spec).loadBalancerClass;
  if (type === 'nlb-ip') return 'ip';
  if (type !== 'external' && type !== 'nlb' && lbClass !== 'service.k8s.aws/nlb') return undefined;
  return service.annotations[AWS_NLB_TARGET_TYPE] === 'ip' ? 'ip' : 'instance';
}

/** The targets of an ALB Ingress for one Service: the Service's annotation, else the Ingress's, else instance. */
export function awsAlbTargetType(ingress: Ingress, service: Service): 'ip' | 'instance' {
  const type = service.annotations[AWS_ALB_TARGET_TYPE] ?? ingress.annotations[AWS_ALB_TARGET_TYPE];
  return type === 'ip' ? 'ip' : 'instance';
}

function externalTrafficLocal(service: Service): boolean {
  return asRecord(service.doc.object.spec).externalTrafficPolicy === 'Local';
}

/**
 * The load-balancer profile a workload's traffic goes through: the one forced by configuration, else the one its
 * objects point to, else plain kube-proxy. A GKE health check found in the manifests replaces the default one.
 */
export function profileOf(set: WorkloadSet, w: Workload, forced?: ProfileId): LoadBalancerProfile {
  const id = forced ?? inferProfile(set, w) ?? 'kube-proxy';
  const hc = healthChecksOf(set, w).find(
    (h) => h.intervalSeconds !== undefined || h.unhealthyThreshold !== undefined || h.timeoutSeconds !== undefined,
  );
  return hc ? getProfile(id, healthCheckOverride(hc)) : getProfile(id);
}

/** The timing fields a health check found in the manifests writes, as an override of a profile's health check. */
export function healthCheckOverride(hc: LoadBalancerHealthCheck): Partial<HealthCheck> {
  const override: Partial<HealthCheck> = {};
  if (hc.intervalSeconds !== undefined) override.intervalSeconds = hc.intervalSeconds;
  if (hc.timeoutSeconds !== undefined) override.timeoutSeconds = hc.timeoutSeconds;
  if (hc.unhealthyThreshold !== undefined) override.unhealthyThreshold = hc.unhealthyThreshold;
  if (hc.healthyThreshold !== undefined) override.healthyThreshold = hc.healthyThreshold;
  return override;
}
