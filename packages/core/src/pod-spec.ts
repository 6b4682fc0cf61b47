import { asRecord } from './manifest.js';
import type { Workload } from './workload.js';

/** The pod spec of a workload as written (the object itself for a Pod, the template's for the others). */
export function podSpecOf(w: Workload): Record<string, unknown> {
  let node: unknown = w.doc.object;
  for (const step of w.podSpecPath) node = asRecord(node)[step];
  return asRecord(node);
}

/**
 * True when the pod binds ports of its node (a hostPort, or the host network): two such pods cannot run on one node,
 * so a rolling update can never start the new pod before the old one is gone there.
 */
export function bindsNodePorts(w: Workload): boolean {
  const spec = podSpecOf(w);
  if (spec.hostNetwork === true) return true;
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  return containers.some((c) => {
    const ports = asRecord(c).ports;
    return Array.isArray(ports) && ports.some((p) => asRecord(p).hostPort !== undefined);
  });
}

/** The PersistentVolumeClaims the pod mounts by name. */
export function volumeClaimsOf(w: Workload): string[] {
  const volumes = podSpecOf(w).volumes;
  return (Array.isArray(volumes) ? volumes : [])
    .map((v) => asRecord(asRecord(v).persistentVolumeClaim).claimName)
    .filter((n): n is string => typeof n === 'string');
}
