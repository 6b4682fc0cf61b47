/** The few API calls the node agent and the service proxy make, and a list+watch that restarts itself. */
import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  ListWatch,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';

export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** How many distinct Events the agent remembers for counting repeats (the kubelet's recorder keeps 4,096). */
const RECORDED_EVENTS = 4096;
/**
 * The recorder's spam filter (client-go's EventSourceObjectSpamFilter): per pod and event type, a bucket of 25
 * events refilled with one every 5 minutes; an event with no token left is dropped, as the kubelet drops it.
 */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;

/** How long one API call may take (the client sets no bound of its own: a call nobody answers waits forever). */
export const API_CALL_TIMEOUT_MS = 30_000;

/** An API call that got no answer within its bound. */
export class ApiTimeoutError extends Error {
  override name = 'ApiTimeoutError';
}

/**
 * The call's answer, or an ApiTimeoutError after `ms`. The timer also keeps the process alive while the call is
 * out: a call whose promise never settles (its connection gone without a word) must end in an error, never in a
 * process that exits half-way because nothing is left running.
 */
export function bounded<T>(call: Promise<T>, what: string, ms = API_CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ApiTimeoutError(`${what}: the API server did not answer within ${ms / 1000} s`)),
      ms,
    );
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

/** The HTTP status of a client error, when it carries one. */
export function statusCodeOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** The message of the API's Status in a client error (`Cannot evict pod as it would violate ...`), with its causes. */
export function statusMessageOf(error: unknown): string {
  const e = error as { body?: unknown; message?: string };
  let body = e?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return (body as string) || (e?.message ?? String(error));
    }
  }
  const status = body as { message?: string; details?: { causes?: { message?: string }[] } } | undefined;
  const causes = (status?.details?.causes ?? []).map((c) => c.message).filter((m): m is string => Boolean(m));
  const message = status?.message ?? e?.message ?? String(error);
  return causes.length > 0 ? `${message} (${causes.join('; ')})` : message;
}

export interface Watcher<T extends KubernetesObject> {
  list(): T[];
  /** Resolves once the first list has been delivered and the watch runs (never rejects: errors start over). */
  synced: Promise<void>;
  stop(): void;
}

/**
 * Lists and watches a collection, calling `onChange(type, object)` for every add/update/delete, and starts over
 * after an error (a closed watch, an apiserver restart) after a second.
 */
export function watchCollection<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
  onChange: (type: 'add' | 'update' | 'delete', object: T) => void,
  options: { fieldSelector?: string; labelSelector?: string; onError?: (error: unknown) => void } = {},
): Watcher<T> {
  let stopped = false;
  let current: ListWatch<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const start = () => {
    if (stopped) return;
    // A failed list ends start() quietly (the error goes to 'error'): only a delivered list counts as synced.
    let listed = false;
    const listOnce = async () => {
      const result = await list();
      listed = true;
      return result;
    };
    const lw = new ListWatch<T>(
      path,
      new Watch(kc),
      listOnce as never,
      false,
      options.labelSelector,
      options.fieldSelector,
    );
    current = lw;
    lw.on('add', (o) => onChange('add', o));
    lw.on('update', (o) => onChange('update', o));
    lw.on('delete', (o) => onChange('delete', o));
    lw.on('error', (error) => {
      options.onError?.(error);
      if (stopped || current !== lw) return;
      timer = setTimeout(start, 1000);
    });
    lw.start()
      .then(() => {
        if (current === lw && listed) markSynced();
      })
      .catch((error) => {
        options.onError?.(error);
        if (!stopped && current === lw) timer = setTimeout(start, 1000);
      });
  };
  start();
  return {
    list: () => [...(current?.list() ?? [])],
    synced,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      void current?.stop();
    },
  };
}

/** The agent's writes. */
export class AgentApi {
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;

  constructor(readonly kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
  }

  /** A merge patch of the status with the pod's uid, so a new pod of the same name is never written to. */
  async patchPodStatus(pod: V1Pod, status: Record<string, unknown>): Promise<void> {
    await bounded(
      this.core.patchNamespacedPodStatus(
        {
          name: pod.metadata?.name ?? '',
          namespace: pod.metadata?.namespace ?? 'default',
          body: { metadata: { uid: pod.metadata?.uid }, status },
        },
        MERGE_PATCH,
      ),
      `writing the status of pod ${pod.metadata?.name}`,
    );
  }

  /** The kubelet's final delete once the containers are gone: grace 0, on the same uid only. */
  async deletePod(pod: V1Pod): Promise<void> {
    try {
      await bounded(
        this.core.deleteNamespacedPod({
          name: pod.metadata?.name ?? '',
          namespace: pod.metadata?.namespace ?? 'default',
          body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } },
        }),
        `deleting pod ${pod.metadata?.name}`,
      );
    } catch (error) {
      const code = statusCodeOf(error);
      if (code !== 404 && code !== 409) throw error;
    }
  }

  /** The last Event recorded for each (pod, container, type, reason, message), as the kubelet's recorder keeps it. */
  private readonly recorded = new Map<string, Promise<{ name: string; count: number } | undefined>>();
  /** The spam filter's buckets, per pod uid and event type. */
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  /** Whether the pod may have one more event of a type now (a token taken), as the kubelet's spam filter decides. */
  private allowed(key: string): boolean {
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: SPAM_BURST, atMs: now };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + (now - bucket.atMs) / SPAM_REFILL_MS);
    bucket.atMs = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > RECORDED_EVENTS) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * An Event on the pod, as the kubelet records them (never fails the caller). A repeat of one the agent recorded
   * before is counted on that Event (`count`, `lastTimestamp`), as the kubelet's event recorder aggregates them:
   * `Readiness probe failed (x5)`. Past 25 events of a type a pod gets one more every 5 minutes: the rest are
   * dropped, as the kubelet's spam filter drops them.
   */
  event(pod: V1Pod, node: string, type: string, reason: string, message: string, fieldPath?: string): void {
    const namespace = pod.metadata?.namespace ?? 'default';
    if (!this.allowed(`${pod.metadata?.uid}\0${type}`)) return;
    const key = [pod.metadata?.uid, fieldPath ?? '', type, reason, message].join('\0');
    const previous = this.recorded.get(key) ?? Promise.resolve(undefined);
    const recorded = previous.then(async (last) => {
      const now = new Date();
      if (last) {
        try {
          const count = last.count + 1;
          await bounded(
            this.core.patchNamespacedEvent(
              { name: last.name, namespace, body: { count, lastTimestamp: now.toISOString() } },
              MERGE_PATCH,
            ),
            'counting an event',
          );
          return { name: last.name, count };
        } catch {
          // deleted meanwhile (or its TTL ran out): recorded anew
        }
      }
      const created = await bounded(
        this.core.createNamespacedEvent({
          namespace,
          body: {
            metadata: { generateName: `${pod.metadata?.name}.`, namespace },
            involvedObject: {
              kind: 'Pod',
              apiVersion: 'v1',
              name: pod.metadata?.name,
              namespace,
              uid: pod.metadata?.uid,
              ...(fieldPath ? { fieldPath } : {}),
            },
            type,
            reason,
            message,
            source: { component: 'kubelet', host: node },
            reportingComponent: 'kubelet',
            reportingInstance: node,
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        }),
        'recording an event',
      );
      return created.metadata?.name ? { name: created.metadata.name, count: 1 } : undefined;
    });
    const settled = recorded.catch(() => undefined);
    this.recorded.delete(key);
    this.recorded.set(key, settled);
    // The recorder's cache is bounded too: the oldest key goes first.
    if (this.recorded.size > RECORDED_EVENTS) this.recorded.delete(this.recorded.keys().next().value as string);
  }

  async configMapData(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      return (
        (await bounded(this.core.readNamespacedConfigMap({ name, namespace }), `reading configmap ${name}`)).data ?? {}
      );
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  async secretData(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const data =
        (await bounded(this.core.readNamespacedSecret({ name, namespace }), `reading secret ${name}`)).data ?? {};
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }
}
