import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';

/**
 * Expands `$(VAR)` references the way the kubelet does for env values, command and args: a defined variable is
 * replaced, `$$` is an escaped `$`, and an undefined reference is left as written.
 */
export function expandReferences(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? (vars[name] as string) : whole;
  });
}

/** What `fieldRef` may name, from the pod and the node it runs on. */
export function fieldValue(pod: V1Pod, fieldPath: string, podIP: string, hostIP: string): string | undefined {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[labelOrAnnotation[2] as string] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP;
    default:
      return undefined;
  }
}

/** Reads a ConfigMap's or Secret's key (undefined when the object or the key is missing). */
export type KeyLookup = (kind: 'configMap' | 'secret', name: string, key: string) => Promise<string | undefined>;
/** Reads every key of a ConfigMap or Secret (undefined when missing). */
export type MapLookup = (kind: 'configMap' | 'secret', name: string) => Promise<Record<string, string> | undefined>;

export class EnvError extends Error {
  override name = 'EnvError';
}

/**
 * The container's environment as the kubelet builds it: `envFrom` first, then `env` in order (later wins), each
 * value expanded against what came before; `fieldRef`, `configMapKeyRef` and `secretKeyRef` resolved.
 * Throws EnvError (CreateContainerConfigError) for a reference that cannot be resolved and is not optional.
 */
export async function containerEnv(
  pod: V1Pod,
  container: V1Container,
  addresses: { podIP: string; hostIP: string },
  lookups: { key: KeyLookup; map: MapLookup },
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    if (!ref?.name) continue;
    const kind = source.configMapRef ? 'configMap' : 'secret';
    const values = await lookups.map(kind, ref.name);
    if (!values) {
      if (ref.optional) continue;
      throw new EnvError(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(values)) env[`${source.prefix ?? ''}${k}`] = v;
  }
  for (const variable of container.env ?? []) {
    const value = await envValue(pod, variable, env, addresses, lookups.key);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

async function envValue(
  pod: V1Pod,
  variable: V1EnvVar,
  sofar: Record<string, string>,
  addresses: { podIP: string; hostIP: string },
  key: KeyLookup,
): Promise<string | undefined> {
  if (!variable.valueFrom) return expandReferences(variable.value ?? '', sofar);
  const { fieldRef, configMapKeyRef, secretKeyRef, resourceFieldRef } = variable.valueFrom;
  if (fieldRef) {
    const value = fieldValue(pod, fieldRef.fieldPath, addresses.podIP, addresses.hostIP);
    if (value === undefined)
      throw new EnvError(`env ${variable.name}: fieldRef ${fieldRef.fieldPath} is not supported`);
    return value;
  }
  const ref = configMapKeyRef ?? secretKeyRef;
  if (ref) {
    const kind = configMapKeyRef ? 'configMap' : 'secret';
    const value = await key(kind, ref.name ?? '', ref.key);
    if (value === undefined && !ref.optional) {
      throw new EnvError(`env ${variable.name}: key "${ref.key}" of ${kind} "${ref.name}" not found`);
    }
    return value;
  }
  if (resourceFieldRef) {
    throw new EnvError(`env ${variable.name}: resourceFieldRef is not supported by the zerodrop node agent`);
  }
  return undefined;
}
