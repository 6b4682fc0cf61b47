import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClusterError } from './errors.js';

export const DEFAULT_CLUSTER_DIR = '.zerodrop/cluster';

/** Where everything of one cluster lives under its folder. */
export interface ClusterLayout {
  dir: string;
  bin: string;
  pki: string;
  etcdData: string;
  logs: string;
  /** The admin kubeconfig. */
  kubeconfig: string;
  /** One kubeconfig per control-plane component. */
  componentKubeconfig(name: string): string;
  state: string;
  /**
   * The name prefix of this cluster's network namespaces, bridge and veths (`zd` + 6 hex digits of the folder's
   * path): unique per folder, short enough for 15-character interface names.
   */
  prefix: string;
}

/** Creates the folder when needed and resolves it (symlinks too, so one folder has one prefix). */
export function clusterLayout(dirArg: string = DEFAULT_CLUSTER_DIR, create = true): ClusterLayout {
  let dir = resolve(dirArg);
  if (create) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new ClusterError('BAD_DIR', `cannot create the cluster folder ${dir}: ${(error as Error).message}`);
    }
  }
  if (existsSync(dir)) dir = realpathSync(dir);
  return {
    dir,
    bin: join(dir, 'bin'),
    pki: join(dir, 'pki'),
    etcdData: join(dir, 'etcd'),
    logs: join(dir, 'logs'),
    kubeconfig: join(dir, 'kubeconfig'),
    componentKubeconfig: (name) => join(dir, 'pki', `${name}.kubeconfig`),
    state: join(dir, 'state.json'),
    prefix: `zd${createHash('sha256').update(dir).digest('hex').slice(0, 6)}`,
  };
}

/** A process the cluster started: enough to find it again and to be sure it is still ours. */
export interface ProcessRecord {
  name: string;
  pid: number;
}

/** What `start` records for `status`, `stop` and the node agent. */
export interface ClusterState {
  dir: string;
  prefix: string;
  kubernetesVersion: string;
  etcdVersion: string;
  startedAt: string;
  /** Milliseconds from `start` to a Ready node and an ok /readyz. */
  startMs?: number;
  apiserverUrl: string;
  etcdUrl: string;
  /** The node's address: the bridge's, where NodePorts are served besides 127.0.0.1. */
  nodeIP: string;
  /** The pod network, e.g. 198.18.7.0/24; the node address is its .1. */
  podSubnet: string;
  serviceSubnet: string;
  nodes: string[];
  /** The cgroup (v2) holding every process of the cluster, when one could be made. */
  cgroup?: string;
  processes: ProcessRecord[];
}

export function readState(layout: ClusterLayout): ClusterState | undefined {
  if (!existsSync(layout.state)) return undefined;
  try {
    return JSON.parse(readFileSync(layout.state, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function writeState(layout: ClusterLayout, state: ClusterState): void {
  const tmp = `${layout.state}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, layout.state);
}
