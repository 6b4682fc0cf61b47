/**
 * `zerodrop cluster start | stop | status` as functions: a local Kubernetes cluster in a folder, its control plane
 * built from source, its node agent and kube-proxy model running pods as local processes.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import {
  binariesUnavailableReason,
  ETCD_VERSION,
  ensureBinaries,
  KUBERNETES_VERSION,
  linkBinaries,
} from './binaries.js';
import {
  apiGet,
  apiserverArgs,
  controllerManagerArgs,
  etcdArgs,
  freePort,
  httpGet,
  logTail,
  SERVICE_SUBNET,
  schedulerArgs,
  writeKubeconfig,
} from './control-plane.js';
import { ClusterError } from './errors.js';
import { bounded } from './kube.js';
import {
  type ClusterLayout,
  type ClusterState,
  clusterLayout,
  DEFAULT_CLUSTER_DIR,
  readState,
  writeState,
} from './layout.js';
import { claimSubnet, createBridge, networkUnavailableReason, removeNetwork } from './network.js';
import { ensurePki, pkiPaths } from './pki.js';
import {
  cgroupPath,
  createCgroup,
  isOurs,
  killCgroup,
  killRecorded,
  processStartTicks,
  startDaemon,
  strayProcesses,
} from './processes.js';

const AGENT_MAIN = fileURLToPath(new URL('./agent/main.js', import.meta.url));
const OWNER_WATCH_MAIN = fileURLToPath(new URL('./owner-watch.js', import.meta.url));
const PROXY_MAIN = fileURLToPath(new URL('./proxy-main.js', import.meta.url));
const PROGRAMS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', AGENT_MAIN, PROXY_MAIN];
/** The daemons a running cluster has, by the names its state records. */
const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'node-agent', 'kube-proxy'];

/** Why no cluster can be started here (not root, no Go and no ready binaries), or undefined. Tests skip on it. */
export function clusterUnavailableReason(): string | undefined {
  return networkUnavailableReason() ?? binariesUnavailableReason();
}

export interface StartOptions {
  dir?: string;
  /** Number of nodes the agent registers (default 1). */
  nodes?: number;
  /** Progress lines (building, starting each component). */
  onLog?: (line: string) => void;
  /** How long to wait for the cluster to be ready (default 180 s). */
  timeoutMs?: number;
  /** Aborting stops the start and removes what it started (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * A temporary cluster's owner (a pid, usually `process.pid`): once that process is gone, however it ended, a guard
   * started beside the cluster stops it. Without it the cluster runs until `stopCluster`.
   */
  owner?: number;
}

export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `zerodrop-node-${i + 1}`);
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  alive?: () => string | undefined,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new ClusterError('START_FAILED', `interrupted while waiting for ${what}`);
    const value = await check();
    if (value !== undefined) return value;
    const dead = alive?.();
    if (dead) throw new ClusterError('START_FAILED', dead);
    if (Date.now() > deadline) throw new ClusterError('START_FAILED', `${what} not ready after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function nodeReady(node: V1Node): boolean {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const tainted = (node.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready');
  return ready && !tainted;
}

/**
 * Starts the cluster in `options.dir` (default `.zerodrop/cluster`) and resolves once every node is Ready,
 * schedulable, `/readyz` is ok and the default ServiceAccount exists. A running cluster is returned as it is;
 * what a crashed one left behind is cleaned up first. Each start begins with an empty etcd.
 */
export async function startCluster(options: StartOptions = {}): Promise<Cluster> {
  const began = performance.now();
  const log = options.onLog ?? (() => {});
  const layout = clusterLayout(options.dir ?? DEFAULT_CLUSTER_DIR);
  const existing = readState(layout);
  if (existing && (await isHealthy(layout, existing))) {
    log(`already running (${layout.dir})`);
    return new Cluster(layout, existing);
  }
  const unavailable = networkUnavailableReason();
  if (unavailable) throw new ClusterError('NOT_ROOT', unavailable);
  await cleanUp(layout, existing);

  const binaries = await ensureBinaries({ onLog: log });
  linkBinaries(binaries, layout.bin);
  const bin = (name: string) => join(layout.bin, name);
  const subnet = await claimSubnet(layout.dir, layout.prefix);
  await createBridge(layout.prefix, subnet);
  const pki = ensurePki(layout.pki, ['127.0.0.1', subnet.gateway, SERVICE_SUBNET.replace('0.0/16', '0.1')]);
  const cgroup = createCgroup(layout.prefix);
  rmSync(layout.etcdData, { recursive: true, force: true });
  mkdirSync(layout.logs, { recursive: true });
  for (const f of COMPONENTS) {
    rmSync(join(layout.logs, `${f}.log`), { force: true });
  }
  rmSync(join(layout.logs, 'pods'), { recursive: true, force: true });

  const [etcdPort, etcdPeerPort, apiserverPort] = [await freePort(), await freePort(), await freePort()];
  const state: ClusterState = {
    dir: layout.dir,
    prefix: layout.prefix,
    kubernetesVersion: KUBERNETES_VERSION,
    etcdVersion: ETCD_VERSION,
    startedAt: new Date().toISOString(),
    apiserverUrl: `https://127.0.0.1:${apiserverPort}`,
    etcdUrl: `http://127.0.0.1:${etcdPort}`,
    nodeIP: subnet.gateway,
    podSubnet: subnet.cidr,
    serviceSubnet: SERVICE_SUBNET,
    nodes: nodeNames(options.nodes ?? 1),
    ...(cgroup ? { cgroup } : {}),
    processes: [],
  };
  const daemon = (name: string, file: string, args: string[]) => {
    const record = startDaemon({ name, file, args, logFile: join(layout.logs, `${name}.log`), cgroup });
    state.processes.push(record);
    writeState(layout, state);
    return () => (isOurs(record.pid, layout.dir) ? undefined : `${name} exited:\n${logTail(layout, name)}`);
  };
  const timeout = options.timeoutMs ?? 180_000;
  try {
    writeState(layout, state);
    if (options.owner !== undefined) watchOwner(layout, state.startedAt, options.owner);
    log(`starting etcd ${ETCD_VERSION}`);
    const etcdAlive = daemon('etcd', bin('etcd'), etcdArgs(layout, etcdPort, etcdPeerPort));
    await waitFor(
      'etcd',
      timeout,
      async () => ((await httpGet(`${state.etcdUrl}/health`))?.body.includes('"true"') ? true : undefined),
      etcdAlive,
      options.signal,
    );
    writeKubeconfig(layout.kubeconfig, state.apiserverUrl, pki, 'admin');
    writeKubeconfig(layout.componentKubeconfig('controller-manager'), state.apiserverUrl, pki, 'controller-manager');
    writeKubeconfig(layout.componentKubeconfig('scheduler'), state.apiserverUrl, pki, 'scheduler');
    log(`starting kube-apiserver ${KUBERNETES_VERSION} on ${state.apiserverUrl}`);
    const apiAlive = daemon(
      'kube-apiserver',
      bin('kube-apiserver'),
      apiserverArgs(pki, { etcdUrl: state.etcdUrl, port: apiserverPort, advertiseAddress: subnet.gateway }),
    );
    await waitFor(
      'kube-apiserver',
      timeout,
      async () => ((await apiGet(`${state.apiserverUrl}/readyz`, pki))?.status === 200 ? true : undefined),
      apiAlive,
      options.signal,
    );
    log('starting kube-controller-manager, kube-scheduler, the node agent and the kube-proxy model');
    const kcmAlive = daemon(
      'kube-controller-manager',
      bin('kube-controller-manager'),
      controllerManagerArgs(layout, pki),
    );
    const schedulerAlive = daemon('kube-scheduler', bin('kube-scheduler'), schedulerArgs(layout));
    const agentAlive = daemon('node-agent', process.execPath, [AGENT_MAIN, '--dir', layout.dir]);
    const proxyAlive = daemon('kube-proxy', process.execPath, [PROXY_MAIN, '--dir', layout.dir]);
    const anyDead = () => kcmAlive() ?? schedulerAlive() ?? agentAlive() ?? proxyAlive() ?? apiAlive() ?? etcdAlive();
    const kc = new KubeConfig();
    kc.loadFromFile(layout.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    await waitFor(
      'the nodes',
      timeout,
      async () => {
        const nodes = await bounded(core.listNode(), 'listing the nodes', 10_000).catch(() => undefined);
        const ready = (nodes?.items ?? []).filter(nodeReady).length;
        return ready >= state.nodes.length ? true : undefined;
      },
      anyDead,
      options.signal,
    );
    await waitFor(
      'the default service account',
      timeout,
      async () =>
        (await bounded(
          core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }),
          'reading the default service account',
          10_000,
        ).catch(() => undefined))
          ? true
          : undefined,
      anyDead,
      options.signal,
    );
    await waitFor(
      '/readyz',
      timeout,
      async () => ((await apiGet(`${state.apiserverUrl}/readyz`, pki))?.status === 200 ? true : undefined),
      undefined,
      options.signal,
    );
    state.startMs = Math.round(performance.now() - began);
    writeState(layout, state);
    log(`ready in ${(state.startMs / 1000).toFixed(1)}s`);
    return new Cluster(layout, state);
  } catch (error) {
    await cleanUp(layout, state);
    if (error instanceof ClusterError) throw error;
    throw new ClusterError('START_FAILED', (error as Error).message);
  }
}

/**
 * Starts the guard that stops the cluster once `owner` is gone (outside the cluster's cgroup, so that stopping the
 * cluster does not kill it half-way); it ends by itself when the cluster is stopped otherwise.
 */
function watchOwner(layout: ClusterLayout, startedAt: string, owner: number): void {
  const since = processStartTicks(owner);
  if (since === undefined) throw new ClusterError('START_FAILED', `the owner process ${owner} is not running`);
  startDaemon({
    name: 'owner-watch',
    file: process.execPath,
    args: [
      OWNER_WATCH_MAIN,
      '--dir',
      layout.dir,
      '--started',
      startedAt,
      '--owner',
      String(owner),
      '--since',
      String(since),
    ],
    logFile: join(layout.logs, 'owner-watch.log'),
  });
}

/** Everything of a cluster, running or left by a crash: processes, pods, network, cgroup. */
async function cleanUp(layout: ClusterLayout, state: ClusterState | undefined): Promise<void> {
  const cgroup = state?.cgroup ?? cgroupPath(layout.prefix);
  if (cgroup) await killCgroup(cgroup);
  await killRecorded(state?.processes ?? [], layout.dir);
  await killRecorded(
    strayProcesses(layout.dir, PROGRAMS).map((pid) => ({ name: 'stray', pid })),
    layout.dir,
  );
  await removeNetwork(layout.prefix);
}

/** Stops the cluster in `dir`: no process, pod, namespace, veth or bridge of it is left. */
export async function stopCluster(dir: string = DEFAULT_CLUSTER_DIR): Promise<{ wasRunning: boolean }> {
  const layout = clusterLayout(dir, false);
  const state = readState(layout);
  const wasRunning = state ? state.processes.some((p) => isOurs(p.pid, layout.dir)) : false;
  await cleanUp(layout, state);
  rmSync(layout.state, { force: true });
  return { wasRunning };
}

async function isHealthy(layout: ClusterLayout, state: ClusterState): Promise<boolean> {
  if (!COMPONENTS.every((name) => state.processes.some((p) => p.name === name))) return false;
  if (!state.processes.every((p) => isOurs(p.pid, layout.dir))) return false;
  const pki = pkiPaths(layout.pki);
  return (await apiGet(`${state.apiserverUrl}/readyz`, pki))?.status === 200;
}

export interface ClusterStatus {
  dir: string;
  running: boolean;
  /** `/readyz` answered 200. */
  apiserverReady: boolean;
  processes: { name: string; pid: number; alive: boolean }[];
  nodes: { name: string; ready: boolean }[];
  state?: ClusterState;
}

/** What runs of the cluster in `dir`, whether the apiserver is ready and which nodes are. */
export async function clusterStatus(dir: string = DEFAULT_CLUSTER_DIR): Promise<ClusterStatus> {
  const layout = clusterLayout(dir, false);
  const state = readState(layout);
  if (!state) return { dir: layout.dir, running: false, apiserverReady: false, processes: [], nodes: [] };
  const processes = state.processes.map((p) => ({ ...p, alive: isOurs(p.pid, layout.dir) }));
  const pki = pkiPaths(layout.pki);
  const apiserverReady = (await apiGet(`${state.apiserverUrl}/readyz`, pki))?.status === 200;
  let nodes: ClusterStatus['nodes'] = [];
  if (apiserverReady) {
    const answer = await apiGet(`${state.apiserverUrl}/api/v1/nodes`, pki);
    const items = answer?.status === 200 ? ((JSON.parse(answer.body) as { items: V1Node[] }).items ?? []) : [];
    nodes = items.map((n) => ({ name: n.metadata?.name ?? '', ready: nodeReady(n) }));
  }
  return {
    dir: layout.dir,
    running: processes.length > 0 && processes.every((p) => p.alive) && apiserverReady,
    apiserverReady,
    processes,
    nodes,
    state,
  };
}

/** A running cluster, for code that drives it: its kubeconfig, API clients, NodePort URLs. */
export class Cluster {
  constructor(
    readonly layout: ClusterLayout,
    readonly state: ClusterState,
  ) {}

  get dir(): string {
    return this.layout.dir;
  }

  /** The admin kubeconfig file (`DIR/kubeconfig`). */
  get kubeconfigPath(): string {
    return this.layout.kubeconfig;
  }

  /** `DIR/bin/kubectl`. */
  get kubectl(): string {
    return join(this.layout.bin, 'kubectl');
  }

  /** A client-node KubeConfig for the admin. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.layout.kubeconfig);
    return kc;
  }

  /** The URL the kube-proxy model serves a NodePort Service on (127.0.0.1), for its first (or named) port. */
  async nodePortUrl(service: string, namespace = 'default', portName?: string): Promise<string> {
    const core = this.kubeConfig().makeApiClient(CoreV1Api);
    const svc = await bounded(core.readNamespacedService({ name: service, namespace }), `reading service ${service}`);
    const port = (svc.spec?.ports ?? []).find((p) => portName === undefined || p.name === portName);
    if (!port?.nodePort) throw new ClusterError('NOT_RUNNING', `service ${namespace}/${service} has no NodePort`);
    return `http://127.0.0.1:${port.nodePort}`;
  }

  /** The pod's IP as its status says (undefined until the node agent made its sandbox). */
  async podIP(name: string, namespace = 'default'): Promise<string | undefined> {
    const core = this.kubeConfig().makeApiClient(CoreV1Api);
    return (await bounded(core.readNamespacedPod({ name, namespace }), `reading pod ${name}`)).status?.podIP;
  }

  stop(): Promise<{ wasRunning: boolean }> {
    return stopCluster(this.layout.dir);
  }
}
