/**
 * A kube-proxy model over the real API: it watches Services and EndpointSlices and serves every NodePort on
 * 127.0.0.1:<nodePort> (and on the node address) with L4 semantics — rehearse's L4Proxy: a new connection goes to a
 * ready endpoint, or to a serving terminating one when none is ready (KEP-1669); an open connection stays pinned.
 * Each EndpointSlice change reaches the proxy after its own propagation delay (kube-proxy's profile in core,
 * drawn per change), like iptables being reprogrammed a little after the watch event.
 */
import { EventEmitter } from 'node:events';
import type { KubeConfig, V1EndpointSlice, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { getProfile } from '@zerodrop/core';
import {
  consumerDelay,
  DelayedEndpoints,
  type Endpoint,
  EndpointSlice,
  L4Proxy,
  type PropagationMode,
} from '@zerodrop/rehearse';
import { type Watcher, watchCollection } from './kube.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The endpoints of one Service port, from every EndpointSlice of that Service (IPv4; nil conditions per the API). */
export function endpointsOf(slices: readonly V1EndpointSlice[], servicePort: Pick<V1ServicePort, 'name'>): Endpoint[] {
  const out: Endpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (servicePort.name ?? ''));
    if (!port?.port) continue;
    for (const e of slice.endpoints) {
      const host = e.addresses[0];
      if (!host) continue;
      const ready = e.conditions?.ready ?? true;
      out.push({
        pod: e.targetRef?.name ?? host,
        host,
        port: port.port,
        ready,
        serving: e.conditions?.serving ?? ready,
        terminating: e.conditions?.terminating ?? false,
      });
    }
  }
  return out;
}

/**
 * The endpoints of one Service port as the API has them now, kept up to date from a watch of its EndpointSlices:
 * a rehearse `EndpointSlice` (emits 'change' with the new list). Put `DelayedEndpoints` and any of rehearse's
 * consumers (L4Proxy, L7Proxy, ExternalLoadBalancer) on top of it to have them follow a real cluster.
 */
export function watchServiceEndpoints(
  kubeConfig: KubeConfig,
  target: { namespace: string; service: string; port?: string },
): { endpoints: EndpointSlice; stop: () => void } {
  const endpoints = new EndpointSlice();
  const slices = new Map<string, V1EndpointSlice>();
  const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  const selector = `${SERVICE_NAME_LABEL}=${target.service}`;
  const watcher = watchCollection<V1EndpointSlice>(
    kubeConfig,
    `/apis/discovery.k8s.io/v1/namespaces/${target.namespace}/endpointslices`,
    () => discovery.listNamespacedEndpointSlice({ namespace: target.namespace, labelSelector: selector }),
    (type, slice) => {
      const name = slice.metadata?.name ?? '';
      if (type === 'delete') slices.delete(name);
      else slices.set(name, slice);
      endpoints.replace(endpointsOf([...slices.values()], { name: target.port ?? '' }));
    },
    { labelSelector: selector },
  );
  return { endpoints, stop: () => watcher.stop() };
}

/** One NodePort: the truth from the API, the proxy's delayed copy, and its listeners. */
interface NodePortEntry {
  key: string;
  service: string;
  namespace: string;
  portName: string;
  nodePort: number;
  truth: EndpointSlice;
  view: DelayedEndpoints;
  proxies: L4Proxy[];
  /** Addresses it could not listen on yet (another process holds the port). */
  unbound: string[];
  binding: boolean;
}

export interface ServiceProxyOptions {
  kubeConfig: KubeConfig;
  /** Addresses to serve NodePorts on; default 127.0.0.1. */
  addresses?: string[];
  /** Propagation delay of endpoint changes: kube-proxy's profile drawn per change (random), or seconds. */
  propagation?: PropagationMode;
}

/** A change the proxy applied: the endpoints it now routes a NodePort to. */
export interface ProxyUpdate {
  at: number;
  namespace: string;
  service: string;
  nodePort: number;
  endpoints: Endpoint[];
}

/** Emits 'update' (ProxyUpdate) when a NodePort's routing changes and 'listen-error' when a port is taken. */
export class ServiceProxy extends EventEmitter {
  private readonly entries = new Map<string, NodePortEntry>();
  private readonly services = new Map<string, V1Service>();
  private readonly slices = new Map<string, V1EndpointSlice>();
  private watchers: Watcher<V1Service | V1EndpointSlice>[] = [];
  private readonly addresses: string[];
  private readonly delay: () => number;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly options: ServiceProxyOptions) {
    super();
    this.addresses = options.addresses ?? ['127.0.0.1'];
    const kubeProxy = getProfile('kube-proxy').consumers[0];
    if (!kubeProxy) throw new Error('the kube-proxy profile has no consumer');
    this.delay = consumerDelay(kubeProxy, options.propagation ?? 'random', 1);
  }

  start(): void {
    const kc = this.options.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    this.watchers.push(
      watchCollection<V1Service>(
        kc,
        '/api/v1/services',
        () => core.listServiceForAllNamespaces(),
        (type, s) => {
          const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
          if (type === 'delete') this.services.delete(key);
          else this.services.set(key, s);
          this.reconcile();
        },
      ) as Watcher<V1Service | V1EndpointSlice>,
      watchCollection<V1EndpointSlice>(
        kc,
        '/apis/discovery.k8s.io/v1/endpointslices',
        () => discovery.listEndpointSliceForAllNamespaces(),
        (type, slice) => {
          const key = `${slice.metadata?.namespace}/${slice.metadata?.name}`;
          if (type === 'delete') this.slices.delete(key);
          else this.slices.set(key, slice);
          this.reconcile();
        },
      ) as Watcher<V1Service | V1EndpointSlice>,
    );
    // A NodePort whose port another process held is tried again.
    this.retry = setInterval(() => this.rebind(), 2000);
    this.retry.unref();
  }

  /** The NodePorts served now. */
  list(): { namespace: string; service: string; port: string; nodePort: number; unbound: string[] }[] {
    return [...this.entries.values()].map((e) => ({
      namespace: e.namespace,
      service: e.service,
      port: e.portName,
      nodePort: e.nodePort,
      unbound: [...e.unbound],
    }));
  }

  private reconcile(): void {
    const wanted = new Set<string>();
    for (const service of this.services.values()) {
      const type = service.spec?.type;
      if (type !== 'NodePort' && type !== 'LoadBalancer') continue;
      const namespace = service.metadata?.namespace ?? 'default';
      const name = service.metadata?.name ?? '';
      const slices = [...this.slices.values()].filter(
        (s) => s.metadata?.namespace === namespace && s.metadata?.labels?.[SERVICE_NAME_LABEL] === name,
      );
      for (const port of service.spec?.ports ?? []) {
        if (!port.nodePort || (port.protocol ?? 'TCP') !== 'TCP') continue;
        const key = `${namespace}/${name}/${port.name ?? ''}/${port.nodePort}`;
        wanted.add(key);
        const entry = this.entries.get(key) ?? this.open(key, namespace, name, port);
        entry.truth.replace(endpointsOf(slices, port));
      }
    }
    for (const [key, entry] of this.entries) {
      if (wanted.has(key)) continue;
      this.entries.delete(key);
      entry.view.close();
      for (const p of entry.proxies) void p.close();
    }
  }

  private open(key: string, namespace: string, service: string, port: V1ServicePort): NodePortEntry {
    const truth = new EndpointSlice();
    const view = new DelayedEndpoints(truth, this.delay);
    const nodePort = port.nodePort as number;
    const entry: NodePortEntry = {
      key,
      namespace,
      service,
      portName: port.name ?? '',
      nodePort,
      truth,
      view,
      proxies: [],
      unbound: [...this.addresses],
      binding: false,
    };
    view.on('change', (endpoints: Endpoint[]) =>
      this.emit('update', { at: Date.now(), namespace, service, nodePort, endpoints } satisfies ProxyUpdate),
    );
    this.entries.set(key, entry);
    void this.bind(entry);
    return entry;
  }

  private async bind(entry: NodePortEntry): Promise<void> {
    if (entry.binding) return;
    entry.binding = true;
    try {
      await this.bindAll(entry);
    } finally {
      entry.binding = false;
    }
  }

  private async bindAll(entry: NodePortEntry): Promise<void> {
    for (const address of [...entry.unbound]) {
      const proxy = new L4Proxy(entry.view);
      try {
        await proxy.listen(entry.nodePort, address);
        if (!this.entries.has(entry.key)) {
          await proxy.close();
          return;
        }
        entry.proxies.push(proxy);
        entry.unbound = entry.unbound.filter((a) => a !== address);
      } catch (error) {
        await proxy.close().catch(() => {});
        this.emit('listen-error', { address, nodePort: entry.nodePort, error });
      }
    }
  }

  private rebind(): void {
    for (const entry of this.entries.values()) if (entry.unbound.length > 0) void this.bind(entry);
  }

  async stop(): Promise<void> {
    if (this.retry) clearInterval(this.retry);
    for (const w of this.watchers) w.stop();
    this.watchers = [];
    for (const entry of this.entries.values()) {
      entry.view.close();
      await Promise.all(entry.proxies.map((p) => p.close()));
    }
    this.entries.clear();
  }
}
