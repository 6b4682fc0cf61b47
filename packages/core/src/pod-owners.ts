import { asRecord, asStringMap, type ManifestDocument } from './manifest.js';
import { apiGroup, workloadKindOf } from './workload.js';
import type { WorkloadSet } from './workload-set.js';

/** API groups Kubernetes serves itself: an object of any other group is a custom resource. */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'extensions',
  'policy',
  'autoscaling',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'certificates.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'events.k8s.io',
  'resource.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'internal.apiserver.k8s.io',
  'storagemigration.k8s.io',
]);

/** Custom resource groups zerodrop reads and knows to create no pods: load-balancer configuration and routes. */
const NO_POD_GROUPS = new Set(['networking.gke.io', 'cloud.google.com', 'elbv2.k8s.aws', 'gateway.networking.k8s.io']);

/** A built-in object that creates pods from a template zerodrop does not model as a workload. */
export interface PodTemplateOwner {
  doc: ManifestDocument;
  namespace: string;
  /** The labels its pods get. */
  podLabels: Record<string, string>;
}

const templatesCache = new WeakMap<WorkloadSet, PodTemplateOwner[]>();

/** Jobs, CronJobs and ReplicationControllers of the input, with the labels of the pods they create. */
export function otherPodTemplates(set: WorkloadSet): PodTemplateOwner[] {
  let owners = templatesCache.get(set);
  if (owners) return owners;
  owners = [];
  for (const doc of set.objects) {
    const group = apiGroup(doc.apiVersion);
    const spec = asRecord(doc.object.spec);
    let template: Record<string, unknown> | undefined;
    if (group === 'batch' && doc.kind === 'Job') template = asRecord(spec.template);
    else if (group === 'batch' && doc.kind === 'CronJob')
      template = asRecord(asRecord(asRecord(spec.jobTemplate).spec).template);
    else if (group === '' && doc.kind === 'ReplicationController') template = asRecord(spec.template);
    if (!template) continue;
    owners.push({
      doc,
      namespace: doc.namespace ?? 'default',
      podLabels: asStringMap(asRecord(template.metadata).labels),
    });
  }
  templatesCache.set(set, owners);
  return owners;
}

/**
 * Custom resources of a namespace that an operator may turn into pods (a Prometheus, an Alertmanager, a database
 * cluster, ...): what their pods are labelled is the operator's business, so no one can tell from the manifests
 * whether a selector matches them.
 */
export function customResourcesIn(set: WorkloadSet, namespace: string): ManifestDocument[] {
  return set.objects.filter((doc) => {
    const group = apiGroup(doc.apiVersion);
    if (BUILT_IN_GROUPS.has(group) || NO_POD_GROUPS.has(group) || workloadKindOf(doc)) return false;
    return (doc.namespace ?? 'default') === namespace;
  });
}
