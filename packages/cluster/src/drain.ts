/**
 * A node drain through the API, as `kubectl drain --ignore-daemonsets --delete-emptydir-data` does it: cordon the
 * node, then evict each of its pods through the eviction API (which respects PodDisruptionBudgets), retrying a
 * refused eviction (429) every 5 s until it is accepted.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ApiTimeoutError, bounded, MERGE_PATCH, statusCodeOf, statusMessageOf } from './kube.js';

/** What a drain does with each pod of the node. */
export interface DrainPlan {
  evict: V1Pod[];
  /** DaemonSet pods, mirror pods and pods that have ended: left alone, as kubectl leaves them. */
  skipped: { pod: string; why: string }[];
  /** Pods no controller would recreate: kubectl refuses to drain without --force, and so does this. */
  unmanaged: string[];
}

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** Which pods of a node a drain evicts. Pure. */
export function drainPlan(pods: readonly V1Pod[]): DrainPlan {
  const plan: DrainPlan = { evict: [], skipped: [], unmanaged: [] };
  for (const pod of pods) {
    const name = `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
    const controller = pod.metadata?.ownerReferences?.find((o) => o.controller);
    if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) {
      plan.skipped.push({ pod: name, why: 'a mirror pod' });
    } else if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      plan.skipped.push({ pod: name, why: `it has ended (${pod.status.phase})` });
    } else if (controller?.kind === 'DaemonSet') {
      plan.skipped.push({ pod: name, why: 'a DaemonSet pod' });
    } else if (!controller) {
      plan.unmanaged.push(name);
    } else {
      plan.evict.push(pod);
    }
  }
  return plan;
}

/** The pods bound to a node, in every namespace. */
export async function podsOnNode(kc: KubeConfig, node: string): Promise<V1Pod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  return (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
}

/** Marks a node (un)schedulable like `kubectl cordon` / `uncordon`; returns whether that changed anything. */
export async function setUnschedulable(kc: KubeConfig, node: string, unschedulable: boolean): Promise<boolean> {
  const core = kc.makeApiClient(CoreV1Api);
  const current = await core.readNode({ name: node });
  if ((current.spec?.unschedulable ?? false) === unschedulable) return false;
  await core.patchNode({ name: node, body: { spec: { unschedulable } } }, MERGE_PATCH);
  return true;
}

/** One answer of the eviction API: 201 (the pod is being deleted), 429 (a budget refuses), or another error. */
export interface EvictionAnswer {
  pod: string;
  status: number;
  message: string;
}

/** Asks the eviction API to evict one pod (a graceful delete when every PodDisruptionBudget allows it). */
export async function evictPod(kc: KubeConfig, pod: V1Pod): Promise<EvictionAnswer> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? 'default';
  try {
    await core.createNamespacedPodEviction({
      name,
      namespace,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
    });
    return { pod: name, status: 201, message: 'evicted' };
  } catch (error) {
    const status = statusCodeOf(error);
    if (status === undefined) throw error;
    // Already gone: nothing left to evict.
    if (status === 404) return { pod: name, status, message: 'already gone' };
    return { pod: name, status, message: statusMessageOf(error) };
  }
}

export interface DrainOptions {
  /** Every answer of the eviction API, 429s included. */
  onEviction?: (answer: EvictionAnswer) => void;
  /** Aborting stops the retries (pods already evicted stay evicted). */
  signal?: AbortSignal;
  /** Between two tries of a refused eviction; kubectl waits 5 s. */
  retryMs?: number;
}

/**
 * Evicts every pod of the plan, each retried after a 429 until the eviction API accepts it (or the signal aborts).
 * Any other refusal (403, 500 for a pod under several budgets) ends the drain with that message.
 */
export async function evictAll(kc: KubeConfig, pods: readonly V1Pod[], options: DrainOptions = {}): Promise<void> {
  const retryMs = options.retryMs ?? 5000;
  // One refusal other than a 429 ends every other pod's retries too.
  const ended = new AbortController();
  const onAbort = () => ended.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) ended.abort();
  const wait = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retryMs);
      ended.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  try {
    await Promise.all(
      pods.map(async (pod) => {
        while (!ended.signal.aborted) {
          const answer = await bounded(evictPod(kc, pod), `evicting pod ${pod.metadata?.name}`).catch((error) => {
            // No answer in time: asked again after the pause, as after a 429 (a pod already evicted answers 201).
            if (error instanceof ApiTimeoutError) return undefined;
            throw error;
          });
          if (!answer) {
            await wait();
            continue;
          }
          options.onEviction?.(answer);
          if (answer.status === 201 || answer.status === 404) return;
          if (answer.status !== 429) {
            ended.abort();
            throw new Error(`eviction of ${answer.pod}: ${answer.status} ${answer.message}`);
          }
          await wait();
        }
      }),
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
