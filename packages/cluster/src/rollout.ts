/**
 * A Deployment's rollout through the API, as kubectl does it: `rollout restart` (a template annotation, so the
 * Deployment controller rolls every pod) and `rollout status` (when the rollout is done, or why not yet).
 */
import { AppsV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { MERGE_PATCH } from './kube.js';

/** The annotation `kubectl rollout restart` sets on the pod template. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/**
 * Changes the pod template like `kubectl rollout restart`: the annotation gets the current time, which makes a new
 * ReplicaSet (a new pod-template-hash) and rolls every pod. Returns the Deployment as patched.
 */
export function restartDeployment(
  kc: KubeConfig,
  namespace: string,
  name: string,
  at: Date = new Date(),
): Promise<V1Deployment> {
  const apps = kc.makeApiClient(AppsV1Api);
  return apps.patchNamespacedDeployment(
    {
      name,
      namespace,
      body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at.toISOString() } } } } },
    },
    MERGE_PATCH,
  );
}

export interface RolloutState {
  /** Every replica runs the current template, is available, and no old replica is left. */
  done: boolean;
  /** The controller gave up: `progressDeadlineSeconds` passed without progress. */
  failed?: string;
  /** What it waits for, in kubectl's words. */
  message: string;
}

/** Where a Deployment's rollout stands, by the same tests as `kubectl rollout status`. */
export function rolloutState(deployment: V1Deployment): RolloutState {
  const name = deployment.metadata?.name ?? '';
  const status = deployment.status ?? {};
  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { done: false, message: 'waiting for the deployment spec update to be observed' };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    const message = `deployment "${name}" exceeded its progress deadline`;
    return { done: false, failed: message, message };
  }
  const wanted = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < wanted) {
    return { done: false, message: `${updated} out of ${wanted} new replicas have been updated` };
  }
  if (total > updated) {
    return { done: false, message: `${total - updated} old replicas are pending termination` };
  }
  if (available < updated) {
    return { done: false, message: `${available} of ${updated} updated replicas are available` };
  }
  return { done: true, message: `deployment "${name}" successfully rolled out` };
}

/** The label selector of a Deployment as the API takes it in `labelSelector`. */
export function selectorOf(deployment: V1Deployment): string {
  const selector = deployment.spec?.selector;
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
