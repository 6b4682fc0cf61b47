/**
 * The permissions verify needs, checked before anything is changed (SelfSubjectAccessReview, the API behind
 * `kubectl auth can-i`), so that missing RBAC is one clear message instead of a failure halfway through a rollout.
 */
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { statusCodeOf } from '@zerodrop/cluster';
import { docsUrl } from '@zerodrop/core';
import { VerifyError } from './errors.js';

export type Trigger = { kind: 'restart' } | { kind: 'none' } | { kind: 'drain'; node: string };

export interface Permission {
  verb: string;
  /** `pods`, `deployments`, `pods/eviction` (resource/subresource). */
  resource: string;
  /** The API group: '' for the core group. */
  group: string;
  /** In every namespace and for cluster-scoped objects (a drain), not only the Deployment's namespace. */
  clusterWide?: boolean;
  why: string;
}

/** What each trigger needs: the Role (and, for a drain, the ClusterRole) of the README, verb by verb. */
export function permissionsFor(trigger: Trigger): Permission[] {
  const read: Permission[] = [
    { verb: 'get', resource: 'deployments', group: 'apps', why: 'read the Deployment and follow its rollout' },
    { verb: 'list', resource: 'pods', group: '', why: 'record the pod timeline' },
    { verb: 'watch', resource: 'pods', group: '', why: 'record the pod timeline' },
    { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', why: 'record the endpoint timeline' },
    { verb: 'watch', resource: 'endpointslices', group: 'discovery.k8s.io', why: 'record the endpoint timeline' },
    { verb: 'list', resource: 'events', group: '', why: "record the kubelet's and controllers' events" },
    { verb: 'watch', resource: 'events', group: '', why: "record the kubelet's and controllers' events" },
  ];
  if (trigger.kind === 'restart') {
    return [...read, { verb: 'patch', resource: 'deployments', group: 'apps', why: 'restart the rollout' }];
  }
  if (trigger.kind === 'drain') {
    return [
      ...read,
      { verb: 'get', resource: 'nodes', group: '', clusterWide: true, why: 'cordon and uncordon the node' },
      { verb: 'patch', resource: 'nodes', group: '', clusterWide: true, why: 'cordon and uncordon the node' },
      { verb: 'list', resource: 'pods', group: '', clusterWide: true, why: "find the node's pods" },
      { verb: 'create', resource: 'pods/eviction', group: '', clusterWide: true, why: "evict the node's pods" },
    ];
  }
  return read;
}

/** `watch endpointslices.discovery.k8s.io` */
export function describePermission(p: Pick<Permission, 'verb' | 'resource' | 'group'>): string {
  return `${p.verb} ${p.resource}${p.group ? `.${p.group}` : ''}`;
}

/** The permissions among `wanted` that the credentials do not have; undefined when the API cannot tell. */
export async function missingPermissions(
  kc: KubeConfig,
  namespace: string,
  wanted: readonly Permission[],
): Promise<Permission[] | undefined> {
  const authorization = kc.makeApiClient(AuthorizationV1Api);
  try {
    const answers = await Promise.all(
      wanted.map(async (p) => {
        const [resource, subresource] = p.resource.split('/');
        const review = await authorization.createSelfSubjectAccessReview({
          body: {
            spec: {
              resourceAttributes: {
                verb: p.verb,
                group: p.group,
                resource,
                ...(subresource ? { subresource } : {}),
                ...(p.clusterWide ? {} : { namespace }),
              },
            },
          },
        });
        return review.status?.allowed === true;
      }),
    );
    return wanted.filter((_, i) => !answers[i]);
  } catch (error) {
    // A cluster where even `kubectl auth can-i` is not allowed: the calls themselves will say what is missing.
    if (statusCodeOf(error) === 403 || statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}

/** The user the credentials authenticate as (SelfSubjectReview), when the API says. */
export async function whoAmI(kc: KubeConfig): Promise<string | undefined> {
  try {
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    return review.status?.userInfo?.username;
  } catch {
    return undefined;
  }
}

export const RBAC_DOCS = `${docsUrl('packages/verify/README.md')}#rbac`;

/** One message for every missing permission, grouped by resource, with what each is for. */
export function accessMessage(user: string | undefined, namespace: string, missing: readonly Permission[]): string {
  const groups = new Map<string, { verbs: string[]; why: string; clusterWide: boolean }>();
  for (const p of missing) {
    const key = describePermission({ ...p, verb: '' }).trim();
    const group = groups.get(key) ?? { verbs: [], why: p.why, clusterWide: p.clusterWide === true };
    group.verbs.push(p.verb);
    groups.set(key, group);
  }
  const parts = [...groups].map(
    ([resource, g]) =>
      `${g.verbs.join(', ')} ${resource} ${g.clusterWide ? 'in every namespace' : `in namespace ${namespace}`} (to ${g.why})`,
  );
  return `${user ? `"${user}"` : 'these credentials'} may not ${parts.join('; ')}. Nothing was changed. Grant the Role (and for a drain the ClusterRole) of ${RBAC_DOCS}`;
}

/** A 403 from a call, as the same kind of message (for clusters where the access review could not tell). */
export function forbidden(error: unknown, what: string): VerifyError | undefined {
  if (statusCodeOf(error) !== 403) return undefined;
  return new VerifyError('NO_ACCESS', `${what}: forbidden. Nothing was changed. See ${RBAC_DOCS}`);
}
