import { asRecord, asStringMap, type ManifestDocument } from './manifest.js';
import { apiGroup, type Container, type Workload } from './workload.js';
import { type Service, type ServicePort, servicesOf, type WorkloadSet } from './workload-set.js';

/**
 * Who serves traffic: the one answer every rule about draining, preStop, grace and readiness asks. A container
 * serves when something sends it requests that a pod deletion can cut:
 *
 * - a Service behind kube-proxy (ClusterIP, NodePort, LoadBalancer) whose selector matches the pod and one of whose
 *   ports reaches one of the container's ports;
 * - an Ingress, a Gateway API route or an AWS TargetGroupBinding that sends to a Service (headless included: those
 *   route to pod IPs themselves) reaching one of its ports;
 * - when the input holds no Service in the workload's namespace (the Services live elsewhere, so the links cannot be
 *   seen): the container declares a port or has an httpGet, tcpSocket or grpc readiness probe;
 * - the annotation `zerodrop.dev/serves` says so: `"false"` (nothing serves), `"true"`, or container names.
 *
 * A headless Service alone does not count: clients resolve pod IPs themselves, no proxy routes to them. A bot, a
 * worker or a controller with none of these serves nothing, and the drain rules leave it alone.
 */
export const SERVES_ANNOTATION = 'zerodrop.dev/serves';

/** How the serving containers of a workload were decided. */
export type ServingBasis = 'services' | 'declared' | 'annotation';

export interface WorkloadServing {
  basis: ServingBasis;
  /** The containers that serve, in pod order. */
  containers: Container[];
  /** Why each serving container serves, one short phrase per path (e.g. `Service web port 80 → http`). */
  reasons: Map<Container, string[]>;
  /** Why nothing serves, when nothing does. */
  none?: string;
}

/** Objects that send to a Service by name: Ingress backends, Gateway API route backendRefs, TargetGroupBindings. */
interface ServiceRoute {
  via: ManifestDocument;
  namespace: string;
  service: string;
  /** The Service port it sends to (number or port name); undefined means every port. */
  port: number | string | undefined;
}

const GATEWAY_ROUTES = new Set(['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute']);

const nsOf = (doc: ManifestDocument) => doc.namespace ?? 'default';

function portRef(value: unknown): number | string | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '') return /^\d+$/.test(value) ? Number(value) : value;
  return undefined;
}

function routesIn(doc: ManifestDocument): ServiceRoute[] {
  const group = apiGroup(doc.apiVersion);
  const spec = asRecord(doc.object.spec);
  const namespace = nsOf(doc);
  const out: ServiceRoute[] = [];
  if ((group === 'networking.k8s.io' || group === 'extensions') && doc.kind === 'Ingress') {
    const backend = (b: unknown) => {
      const r = asRecord(b);
      const service = asRecord(r.service);
      const name = service.name ?? r.serviceName;
      if (typeof name !== 'string') return;
      const port = asRecord(service.port);
      out.push({ via: doc, namespace, service: name, port: portRef(port.number ?? port.name ?? r.servicePort) });
    };
    backend(spec.defaultBackend ?? spec.backend);
    for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
      const paths = asRecord(asRecord(rule).http).paths;
      for (const p of Array.isArray(paths) ? paths : []) backend(asRecord(p).backend);
    }
  } else if (group === 'gateway.networking.k8s.io' && GATEWAY_ROUTES.has(doc.kind)) {
    for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
      const refs = asRecord(rule).backendRefs;
      for (const ref of Array.isArray(refs) ? refs : []) {
        const r = asRecord(ref);
        const kind = r.kind ?? 'Service';
        const refGroup = r.group ?? '';
        if (kind !== 'Service' || refGroup !== '' || typeof r.name !== 'string') continue;
        const target = typeof r.namespace === 'string' && r.namespace !== '' ? r.namespace : namespace;
        out.push({ via: doc, namespace: target, service: r.name, port: portRef(r.port) });
      }
    }
  } else if (group === 'elbv2.k8s.aws' && doc.kind === 'TargetGroupBinding') {
    const ref = asRecord(spec.serviceRef);
    if (typeof ref.name === 'string') out.push({ via: doc, namespace, service: ref.name, port: portRef(ref.port) });
  }
  return out;
}

interface ServingIndex {
  /** Namespaces with at least one Service in the input. */
  namespacesWithServices: Set<string>;
  /** Routes by `namespace/service`. */
  routes: Map<string, ServiceRoute[]>;
}

const indexCache = new WeakMap<WorkloadSet, ServingIndex>();

function indexOf(set: WorkloadSet): ServingIndex {
  let index = indexCache.get(set);
  if (index) return index;
  index = { namespacesWithServices: new Set(set.services.map((s) => s.namespace)), routes: new Map() };
  for (const doc of set.objects) {
    for (const route of routesIn(doc)) {
      const key = `${route.namespace}/${route.service}`;
      const list = index.routes.get(key);
      if (list) list.push(route);
      else index.routes.set(key, [route]);
    }
  }
  indexCache.set(set, index);
  return index;
}

/** A headless Service (`clusterIP: None`) has no virtual IP: kube-proxy never routes to its pods. */
export function isHeadless(service: Service): boolean {
  return asRecord(service.doc.object.spec).clusterIP === 'None';
}

/**
 * The container a Service port's targetPort reaches, as the endpoints controller finds it: a named targetPort is the
 * first container port of that name (none: the pod is no endpoint of this port); a number is the container that
 * declares it, else the one whose readiness probe uses it, else the only (or first) container, since a process may
 * listen on a port it never declares.
 */
function containerForTargetPort(w: Workload, target: number | string): Container | undefined {
  const numeric = typeof target === 'number' ? target : /^\d+$/.test(target) ? Number(target) : undefined;
  if (numeric === undefined) return w.containers.find((c) => c.ports.some((p) => p.name === target));
  const declared = w.containers.find((c) => c.ports.some((p) => p.containerPort === numeric));
  if (declared) return declared;
  const probed = w.containers.find((c) => {
    const h = c.readinessProbe?.resolved.handler;
    return h !== undefined && h.type !== 'exec' && Number(h.port) === numeric;
  });
  return probed ?? w.containers[0];
}

/**
 * A Service port for monitoring: named for metrics (`metrics`, `http-metrics`, `metrics-port`, `prometheus`, `prom`,
 * `exporter`) on the port or the container port it targets, or any port of a Service named for metrics (`x-metrics`,
 * kubebuilder's `x-controller-manager-metrics-service`). Prometheus scrapes it every few seconds from the endpoints list;
 * a scrape that fails during a pod's termination loses a sample, not a user's request.
 */
export function isMetricsPort(service: Service, port: ServicePort, container: Container | undefined): boolean {
  const named = (name: string | undefined) =>
    name !== undefined && /(^|[-_])(metrics|prometheus|prom|exporter)($|[-_])/i.test(name);
  const target =
    typeof port.targetPort === 'string'
      ? port.targetPort
      : container?.ports.find((p) => p.containerPort === port.targetPort)?.name;
  return named(port.name) || named(target) || /(^|-)metrics(-service|-svc)?$/.test(service.name);
}

function routeMatchesPort(route: ServiceRoute, port: ServicePort): boolean {
  return route.port === undefined || route.port === port.port || route.port === port.name;
}

function describePort(port: ServicePort): string {
  return port.targetPort === port.port ? `port ${port.port}` : `port ${port.port} → ${port.targetPort}`;
}

function annotationOf(w: Workload): string | undefined {
  const own = asStringMap(asRecord(w.doc.object.metadata).annotations)[SERVES_ANNOTATION];
  return (own ?? w.podAnnotations[SERVES_ANNOTATION])?.trim();
}

/** What a container declares that would take traffic: its ports, or a network readiness probe. */
function declaredServing(c: Container): string | undefined {
  if (c.ports.length > 0) return `declares port ${c.ports.map((p) => p.name ?? p.containerPort).join(', ')}`;
  const h = c.readinessProbe?.resolved.handler;
  if (h && h.type !== 'exec') return `has a ${h.type} readinessProbe`;
  return undefined;
}

function fromAnnotation(w: Workload, value: string): WorkloadServing {
  const reasons = new Map<Container, string[]>();
  const why = `annotation ${SERVES_ANNOTATION}: "${value}"`;
  if (/^false$/i.test(value)) return { basis: 'annotation', containers: [], reasons, none: why };
  const named = /^true$/i.test(value)
    ? undefined
    : new Set(
        value
          .split(',')
          .map((n) => n.trim())
          .filter((n) => n !== ''),
      );
  let containers = named
    ? w.containers.filter((c) => named.has(c.name))
    : w.containers.filter((c) => declaredServing(c) !== undefined);
  if (containers.length === 0 && !named) containers = w.containers.slice(0, 1);
  for (const c of containers) reasons.set(c, [why]);
  return { basis: 'annotation', containers, reasons, ...(containers.length ? {} : { none: why }) };
}

const servingCache = new WeakMap<Workload, { set: WorkloadSet; serving: WorkloadServing }>();

/** Which containers of a workload serve traffic, and why (see SERVES_ANNOTATION for the model). */
export function servingOf(set: WorkloadSet, w: Workload): WorkloadServing {
  const cached = servingCache.get(w);
  if (cached?.set === set) return cached.serving;
  const serving = decide(set, w);
  servingCache.set(w, { set, serving });
  return serving;
}

function decide(set: WorkloadSet, w: Workload): WorkloadServing {
  const annotation = annotationOf(w);
  if (annotation !== undefined && annotation !== '') return fromAnnotation(w, annotation);
  const index = indexOf(set);
  const reasons = new Map<Container, string[]>();
  const add = (c: Container, reason: string) => {
    const list = reasons.get(c);
    if (!list) reasons.set(c, [reason]);
    else if (!list.includes(reason)) list.push(reason);
  };

  if (!index.namespacesWithServices.has(w.namespace)) {
    const suffix = `(no Service of namespace ${w.namespace} is in the input)`;
    for (const c of w.containers) {
      const declared = declaredServing(c);
      if (declared) add(c, `${declared} ${suffix}`);
    }
    const containers = w.containers.filter((c) => reasons.has(c));
    return {
      basis: 'declared',
      containers,
      reasons,
      ...(containers.length ? {} : { none: `no container declares a port or a network readinessProbe ${suffix}` }),
    };
  }

  const unreached: string[] = [];
  for (const service of servicesOf(set, w)) {
    if (service.type === 'ExternalName') continue;
    const routes = index.routes.get(`${service.namespace}/${service.name}`) ?? [];
    const headless = isHeadless(service);
    for (const port of service.ports) {
      const via = routes.filter((r) => routeMatchesPort(r, port));
      if (headless && via.length === 0) continue;
      const container = containerForTargetPort(w, port.targetPort);
      if (!container) {
        unreached.push(`Service ${service.name} ${describePort(port)} names no container port`);
        continue;
      }
      if (via.length === 0 && isMetricsPort(service, port, container)) {
        unreached.push(
          `Service ${service.name} ${describePort(port)} is a metrics port (a failed scrape drops no request)`,
        );
        continue;
      }
      const route = via[0] ? `${via[0].via.kind} ${via[0].via.name} → ` : '';
      add(container, `${route}${headless ? 'headless ' : ''}Service ${service.name} ${describePort(port)}`);
    }
  }
  const containers = w.containers.filter((c) => reasons.has(c));
  if (containers.length > 0) return { basis: 'services', containers, reasons };
  const selected = servicesOf(set, w);
  const none =
    selected.length === 0
      ? `no Service in namespace ${w.namespace} selects its pods`
      : unreached.length > 0
        ? unreached.join('; ')
        : `only headless Services select its pods (${selected.map((s) => s.name).join(', ')}), and no Ingress or route sends to them`;
  return { basis: 'services', containers, reasons, none };
}

/** The containers of a workload that serve traffic. */
export function servingContainers(set: WorkloadSet, w: Workload): Container[] {
  return servingOf(set, w).containers;
}

/** True when at least one container of the workload serves traffic. */
export function serves(set: WorkloadSet, w: Workload): boolean {
  return servingOf(set, w).containers.length > 0;
}

/** `Service web port 80 → http`: why a container serves, for messages. */
export function servingReason(set: WorkloadSet, w: Workload, c: Container): string {
  const reasons = servingOf(set, w).reasons.get(c) ?? [];
  const shown = reasons.slice(0, 2).join('; ');
  return reasons.length > 2 ? `${shown}; ${reasons.length - 2} more` : shown;
}
