/**
 * Which cluster verify talks to, and as whom: `--kubeconfig FILE`, else what kubectl would use (`$KUBECONFIG`,
 * `~/.kube/config`), else the pod's own service account when it runs inside a cluster; `--context` picks a context.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { VerifyError } from './errors.js';

export interface ClusterAccess {
  kc: KubeConfig;
  /** The context name, or `in-cluster`. */
  context: string;
  server: string;
  /** The namespace the context names, if any. */
  namespace?: string;
}

/** The context client-node names the configuration it falls back to when it finds nothing. */
const FALLBACK_CONTEXT = 'loaded-context';
const IN_CLUSTER_CONTEXT = 'inClusterContext';

export function loadClusterAccess(options: { kubeconfig?: string; context?: string }): ClusterAccess {
  const kc = new KubeConfig();
  const source = options.kubeconfig ? `--kubeconfig ${options.kubeconfig}` : 'the kubeconfig';
  try {
    if (options.kubeconfig) {
      if (!existsSync(options.kubeconfig)) {
        throw new VerifyError('KUBECONFIG', `--kubeconfig ${options.kubeconfig}: no such file`);
      }
      kc.loadFromFile(options.kubeconfig);
    } else {
      kc.loadFromDefault();
    }
  } catch (error) {
    if (error instanceof VerifyError) throw error;
    throw new VerifyError('KUBECONFIG', `${source} cannot be read: ${(error as Error).message}`);
  }
  if (!options.kubeconfig && kc.getCurrentContext() === FALLBACK_CONTEXT) {
    throw new VerifyError(
      'KUBECONFIG',
      'no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run verify in a pod (its service account is used)',
    );
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new VerifyError(
        'KUBECONFIG',
        `no context "${options.context}" in ${source} (it has: ${names.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const name = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server;
  if (!name || !server) {
    throw new VerifyError('KUBECONFIG', `${source} has no current context with a cluster: pass --context`);
  }
  const namespace = kc.getContextObject(name)?.namespace;
  return {
    kc,
    context: name === IN_CLUSTER_CONTEXT ? 'in-cluster' : name,
    server,
    ...(namespace ? { namespace } : {}),
  };
}
