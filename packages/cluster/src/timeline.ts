/**
 * The real timeline of a workload's pods, as a watcher of the API sees it: each pod's state changes (created,
 * started, Ready, deleted, each container's exit with its code and reason), each pod's endpoint conditions in the
 * namespace's EndpointSlices (ready / serving / terminating, removed), and the Events about them. Times are the
 * watcher's clock (epoch ms when the change arrived), since the API's own timestamps have whole seconds only.
 *
 * It records what was observed and nothing else: when the stop signal went out after a preStop hook, for example,
 * is not in the API (callers that know the pod spec can place it).
 */
import { constants } from 'node:os';
import {
  CoreV1Api,
  type CoreV1Event,
  DiscoveryV1Api,
  type KubeConfig,
  type V1ContainerStatus,
  type V1EndpointSlice,
  type V1Pod,
} from '@kubernetes/client-node';
import type { PodState, RoutingChange } from '@zerodrop/rehearse';
import { type Watcher, watchCollection } from './kube.js';

/** One state change of a pod, in rehearse's vocabulary. */
export interface PodStateChange {
  atMs: number;
  state: PodState;
  detail?: string;
}

/** A pod's endpoint in the EndpointSlices, from `atMs` on; `present: false` once no slice lists it. */
export interface EndpointCondition {
  atMs: number;
  present: boolean;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface ObservedPod {
  name: string;
  uid: string;
  /** The `pod-template-hash` label: which revision of a Deployment's template it runs. */
  templateHash?: string;
  node?: string;
  /** It existed when the watch began: what happened to it before is not known. */
  preexisting: boolean;
  /** The pod as last seen. */
  pod: V1Pod;
  states: PodStateChange[];
  endpoint: EndpointCondition[];
  /** When the pod object was deleted (the kubelet's final delete once its containers are gone). */
  goneAt?: number;
  /**
   * The grace period of the deletion that began its termination, as first seen: the kubelet's final delete sets the
   * object's to 0 once the containers are gone.
   */
  deletionGraceSeconds?: number;
}

/** A Kubernetes Event about one of the pods (or anything else in the namespace, for the caller to pick). */
export interface ObservedEvent {
  atMs: number;
  type: string;
  reason: string;
  message: string;
  object: { kind: string; name: string };
  count: number;
}

export interface TimelineOptions {
  namespace: string;
  /** The pods' label selector (`app=web,tier in (front)`), as the API takes it. */
  labelSelector: string;
  /** Epoch ms; Date.now by default (tests). */
  now?: () => number;
  /** A watch that failed (a lost connection, no access); it starts over after a second. */
  onError?: (what: 'pods' | 'endpointslices' | 'events', error: unknown) => void;
  /** Called after every recorded change. */
  onChange?: () => void;
}

const podConditionReady = (pod: V1Pod) => pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

/** `code 0`, `signal SIGTERM` (an exit code above 128 is a signal's), with the reason when it says more. */
export function exitDetail(terminated: { exitCode: number; signal?: number; reason?: string }): string {
  const signal = terminated.signal ?? (terminated.exitCode > 128 ? terminated.exitCode - 128 : undefined);
  const name =
    signal === undefined
      ? undefined
      : (Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`);
  const base = name ? `signal ${name.replace(/^signal /, '')}` : `code ${terminated.exitCode}`;
  const reason = terminated.reason;
  return reason && reason !== 'Error' && reason !== 'Completed' ? `${base} (${reason})` : base;
}

/** Whether a container's exit was the kill at the end of the grace period (SIGKILL) rather than its own. */
function isKill(terminated: { exitCode: number; signal?: number }): boolean {
  return terminated.signal === 9 || terminated.exitCode === 137;
}

/**
 * The state changes between two versions of a pod (`before` undefined: first seen). Pure: the watcher and tests
 * feed it the versions they have.
 */
export function podChanges(before: V1Pod | undefined, after: V1Pod, atMs: number): PodStateChange[] {
  const out: PodStateChange[] = [];
  if (!before) out.push({ atMs, state: 'created', ...(after.spec?.nodeName ? { detail: after.spec.nodeName } : {}) });
  const statuses = (pod: V1Pod | undefined) => new Map((pod?.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const was = statuses(before);
  const several = (after.status?.containerStatuses?.length ?? 0) > 1;
  const prefix = (s: V1ContainerStatus) => (several ? `${s.name}: ` : '');
  const terminating = after.metadata?.deletionTimestamp !== undefined;
  for (const now of after.status?.containerStatuses ?? []) {
    const then = was.get(now.name);
    const restarted = then !== undefined && now.restartCount > then.restartCount;
    // A restart seen only after it happened: the exit that preceded it, from lastState.
    if (restarted && !then?.state?.terminated && now.lastState?.terminated) {
      out.push({ atMs, state: 'exited', detail: `${prefix(now)}${exitDetail(now.lastState.terminated)}` });
    }
    if (now.state?.running && (!then?.state?.running || restarted)) {
      out.push({ atMs, state: 'started', ...(several ? { detail: now.name } : {}) });
    }
    const ended = now.state?.terminated;
    if (ended && (!then?.state?.terminated || then.state.terminated.finishedAt !== ended.finishedAt)) {
      out.push({
        atMs,
        state: terminating && isKill(ended) ? 'killed' : 'exited',
        detail: `${prefix(now)}${exitDetail(ended)}`,
      });
    }
  }
  const ready = podConditionReady(after);
  if (ready !== (before ? podConditionReady(before) : false)) out.push({ atMs, state: ready ? 'ready' : 'not-ready' });
  if (terminating && before?.metadata?.deletionTimestamp === undefined) {
    const grace = after.metadata?.deletionGracePeriodSeconds;
    out.push({ atMs, state: 'terminating', ...(grace !== undefined ? { detail: `deleted, grace ${grace}s` } : {}) });
  }
  return out;
}

/** Each pod's endpoint conditions over all the slices (a pod behind two Services counts once, at its best). */
export function endpointConditions(slices: Iterable<V1EndpointSlice>): Map<string, Omit<EndpointCondition, 'atMs'>> {
  const out = new Map<string, Omit<EndpointCondition, 'atMs'>>();
  for (const slice of slices) {
    for (const e of slice.endpoints ?? []) {
      if (e.targetRef?.kind !== 'Pod' || !e.targetRef.name) continue;
      const ready = e.conditions?.ready ?? true;
      const serving = e.conditions?.serving ?? ready;
      const terminating = e.conditions?.terminating ?? false;
      const seen = out.get(e.targetRef.name);
      out.set(e.targetRef.name, {
        present: true,
        ready: ready || (seen?.ready ?? false),
        serving: serving || (seen?.serving ?? false),
        terminating: terminating && (seen?.terminating ?? true),
      });
    }
  }
  return out;
}

/**
 * What a consumer that follows the EndpointSlices at once routes new connections to, over time: the ready endpoints,
 * else the serving terminating ones (KEP-1669). Real consumers learn each change later (their propagation delay).
 */
export function routingOf(pods: readonly Pick<ObservedPod, 'name' | 'endpoint'>[]): RoutingChange[] {
  const times = [...new Set(pods.flatMap((p) => p.endpoint.map((e) => e.atMs)))].sort((a, b) => a - b);
  const out: RoutingChange[] = [];
  for (const atMs of times) {
    const now = pods.flatMap((p) => {
      const e = p.endpoint.filter((c) => c.atMs <= atMs).at(-1);
      return e?.present ? [{ pod: p.name, ...e }] : [];
    });
    const ready = now.filter((e) => e.ready);
    const pool = ready.length > 0 ? ready : now.filter((e) => e.serving && e.terminating);
    const names = pool.map((e) => e.pod).sort();
    if (out.at(-1)?.pods.join() !== names.join()) out.push({ atMs, pods: names });
  }
  return out;
}

/**
 * Watches one workload's pods (by label selector), the namespace's EndpointSlices and Events, and keeps the timeline.
 * `start()` resolves once the three lists are in and the watches run.
 */
export class WorkloadTimeline {
  private readonly pods = new Map<string, ObservedPod>();
  /** Endpoint conditions of pods not seen yet (a slice can arrive before its pod). */
  private readonly endpoints = new Map<string, Omit<EndpointCondition, 'atMs'>>();
  private readonly slices = new Map<string, V1EndpointSlice>();
  private readonly recorded: ObservedEvent[] = [];
  private readonly watchers: Watcher<V1Pod | V1EndpointSlice | CoreV1Event>[] = [];
  private readonly now: () => number;
  private synced = false;
  startedAt = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: TimelineOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.startedAt = this.now();
    const { namespace, labelSelector } = this.options;
    const core = this.kc.makeApiClient(CoreV1Api);
    const discovery = this.kc.makeApiClient(DiscoveryV1Api);
    const onError = (what: 'pods' | 'endpointslices' | 'events') => (error: unknown) =>
      this.options.onError?.(what, error);
    this.watchers.push(
      watchCollection<V1Pod>(
        this.kc,
        `/api/v1/namespaces/${namespace}/pods`,
        () => core.listNamespacedPod({ namespace, labelSelector }),
        (type, pod) => this.onPod(type, pod),
        { labelSelector, onError: onError('pods') },
      ) as Watcher<V1Pod | V1EndpointSlice | CoreV1Event>,
      watchCollection<V1EndpointSlice>(
        this.kc,
        `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        () => discovery.listNamespacedEndpointSlice({ namespace }),
        (type, slice) => this.onSlice(type, slice),
        { onError: onError('endpointslices') },
      ) as Watcher<V1Pod | V1EndpointSlice | CoreV1Event>,
      watchCollection<CoreV1Event>(
        this.kc,
        `/api/v1/namespaces/${namespace}/events`,
        () => core.listNamespacedEvent({ namespace }),
        (type, event) => this.onEvent(type, event),
        { onError: onError('events') },
      ) as Watcher<V1Pod | V1EndpointSlice | CoreV1Event>,
    );
    await Promise.all(this.watchers.map((w) => w.synced));
    this.synced = true;
  }

  stop(): void {
    for (const w of this.watchers.splice(0)) w.stop();
  }

  /** Every pod seen, in the order they were first seen; copies. */
  snapshot(): ObservedPod[] {
    return [...this.pods.values()].map((p) => ({ ...p, states: [...p.states], endpoint: [...p.endpoint] }));
  }

  /** The Events recorded since the watch began (older ones from the first list are left out). */
  events(): ObservedEvent[] {
    return [...this.recorded];
  }

  /** What the EndpointSlices said to route to over time, for this workload's pods. */
  routing(): RoutingChange[] {
    return routingOf([...this.pods.values()]);
  }

  private onPod(type: 'add' | 'update' | 'delete', pod: V1Pod): void {
    const name = pod.metadata?.name ?? '';
    const atMs = this.now();
    let observed = this.pods.get(name);
    if (observed && observed.uid !== pod.metadata?.uid) observed = undefined;
    if (!observed) {
      observed = {
        name,
        uid: pod.metadata?.uid ?? '',
        preexisting: !this.synced,
        pod,
        states: [],
        endpoint: [],
      };
      this.pods.set(name, observed);
      observed.states.push(...podChanges(undefined, pod, atMs));
      if (observed.preexisting) {
        const created = observed.states[0];
        if (created) created.detail = `${created.detail ? `${created.detail}, ` : ''}before the watch began`;
      }
      const endpoint = this.endpoints.get(name);
      if (endpoint) observed.endpoint.push({ atMs, ...endpoint });
    } else {
      observed.states.push(...podChanges(observed.pod, pod, atMs));
    }
    observed.pod = pod;
    const grace = pod.metadata?.deletionGracePeriodSeconds;
    if (pod.metadata?.deletionTimestamp && grace !== undefined) observed.deletionGraceSeconds ??= grace;
    observed.node = pod.spec?.nodeName ?? observed.node;
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    if (hash) observed.templateHash = hash;
    if (type === 'delete') observed.goneAt = atMs;
    this.options.onChange?.();
  }

  private onSlice(type: 'add' | 'update' | 'delete', slice: V1EndpointSlice): void {
    const key = slice.metadata?.name ?? '';
    if (type === 'delete') this.slices.delete(key);
    else this.slices.set(key, slice);
    const atMs = this.now();
    const now = endpointConditions(this.slices.values());
    for (const name of new Set([...this.endpoints.keys(), ...now.keys()])) {
      const condition = now.get(name) ?? { present: false, ready: false, serving: false, terminating: false };
      const before = this.endpoints.get(name);
      if (before && JSON.stringify(before) === JSON.stringify(condition)) continue;
      if (condition.present) this.endpoints.set(name, condition);
      else this.endpoints.delete(name);
      this.pods.get(name)?.endpoint.push({ atMs, ...condition });
    }
    this.options.onChange?.();
  }

  private onEvent(type: 'add' | 'update' | 'delete', event: CoreV1Event): void {
    if (type === 'delete') return;
    // The first list brings the namespace's history; only what happens from the start on belongs to this run.
    const stamp = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
    const when = stamp === undefined ? Number.NaN : new Date(stamp).getTime();
    if (!this.synced && !(when >= this.startedAt - 1000)) return;
    this.recorded.push({
      atMs: this.now(),
      type: event.type ?? 'Normal',
      reason: event.reason ?? '',
      message: event.message ?? '',
      object: { kind: event.involvedObject?.kind ?? '', name: event.involvedObject?.name ?? '' },
      count: event.count ?? 1,
    });
    this.options.onChange?.();
  }
}
