/**
 * The zerodrop node agent: a kubelet for local processes. It registers one or more Nodes (Ready, with a Lease
 * renewed every 10 s as the kubelet's heartbeat), watches the pods the scheduler bound to them, and runs each one
 * through a PodWorker. Usable in-process (a library caller drives it) or as the cluster's daemon.
 */
import { EventEmitter } from 'node:events';
import { cpus, hostname, release, totalmem } from 'node:os';
import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import { KUBERNETES_VERSION } from '../binaries.js';
import { AgentApi, MERGE_PATCH, statusCodeOf, type Watcher, watchCollection } from '../kube.js';
import type { PodNetwork } from '../network.js';
import { useContainerLogRoot } from './container.js';
import { type PodEvent, PodWorker } from './pod-worker.js';

export const LEASE_SECONDS = 40;
const RENEW_MS = 10_000;
const NODE_STATUS_MS = 60_000;

/** The environment variables a container gets from the node, as an image would give them (the rest: its spec). */
const BASE_ENV_NAMES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'NODE_EXTRA_CA_CERTS'];

export interface NodeAgentOptions {
  kubeConfig: KubeConfig;
  /** Node names (the scheduler spreads pods over them; a drain moves pods between them). */
  nodes: string[];
  network: PodNetwork;
  /** The node address (the bridge's): hostIP of every pod, and the Node's InternalIP. */
  nodeIP: string;
  /** Container output, one file per container. */
  logDir?: string;
  /** Allocatable resources advertised per node (processes are not limited; see the README). */
  allocatable?: { cpu: string; memory: string; pods: string };
}

/**
 * Emits 'pod-event' (PodEvent) for everything it does to a pod (Started, Killing, Unhealthy, ...) and 'error'
 * never: API failures are retried.
 */
export class NodeAgent extends EventEmitter {
  private readonly api: AgentApi;
  private readonly workers = new Map<string, PodWorker>();
  private readonly watchers: Watcher<V1Pod>[] = [];
  private timers: NodeJS.Timeout[] = [];
  private readonly baseEnv: NodeJS.ProcessEnv;
  private stopped = false;

  constructor(private readonly options: NodeAgentOptions) {
    super();
    useContainerLogRoot(options.logDir);
    this.api = new AgentApi(options.kubeConfig);
    this.baseEnv = Object.fromEntries(
      BASE_ENV_NAMES.filter((n) => process.env[n] !== undefined).map((n) => [n, process.env[n]]),
    );
  }

  /** Registers the nodes and starts serving their pods; resolves once every Node object exists. */
  async start(): Promise<void> {
    for (const node of this.options.nodes) await this.register(node);
    await this.renewLeases();
    this.timers.push(setInterval(() => void this.renewLeases(), RENEW_MS));
    this.timers.push(setInterval(() => void this.heartbeat(), NODE_STATUS_MS));
    for (const node of this.options.nodes) {
      this.watchers.push(
        watchCollection<V1Pod>(
          this.options.kubeConfig,
          '/api/v1/pods',
          () => this.api.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }),
          (type, pod) => this.onPod(node, type, pod),
          { fieldSelector: `spec.nodeName=${node}` },
        ),
      );
    }
  }

  private nodeObject(name: string): V1Node {
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        },
        annotations: {
          'zerodrop.dev/machine': `${hostname()} (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB)`,
        },
      },
      spec: {},
      status: this.nodeStatus(),
    } as unknown as V1Node;
  }

  private nodeStatus() {
    const allocatable = this.options.allocatable ?? { cpu: '64', memory: '256Gi', pods: '250' };
    const now = new Date().toISOString();
    const condition = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    });
    return {
      capacity: allocatable,
      allocatable,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'zerodrop node agent is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: this.options.nodeIP },
        { type: 'Hostname', address: hostname() },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: release(),
        osImage: 'zerodrop node agent (local processes)',
        containerRuntimeVersion: 'zerodrop://0.1.0',
        kubeletVersion: KUBERNETES_VERSION,
        kubeProxyVersion: KUBERNETES_VERSION,
        operatingSystem: 'linux',
        architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      },
    };
  }

  private async register(name: string): Promise<void> {
    for (;;) {
      try {
        await this.api.core.createNode({ body: this.nodeObject(name) });
        break;
      } catch (error) {
        if (statusCodeOf(error) !== 409) {
          await new Promise((r) => setTimeout(r, 500));
          if (this.stopped) return;
          continue;
        }
        break;
      }
    }
    await this.patchNodeStatus(name);
  }

  private async patchNodeStatus(name: string): Promise<void> {
    try {
      await this.api.core.patchNodeStatus({ name, body: { status: this.nodeStatus() } }, MERGE_PATCH);
    } catch {
      // retried at the next heartbeat
    }
  }

  private async heartbeat(): Promise<void> {
    for (const node of this.options.nodes) await this.patchNodeStatus(node);
  }

  private async renewLeases(): Promise<void> {
    const namespace = 'kube-node-lease';
    for (const node of this.options.nodes) {
      const spec = {
        holderIdentity: node,
        leaseDurationSeconds: LEASE_SECONDS,
        // MicroTime: the apiserver wants six fractional digits.
        renewTime: new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date,
      };
      try {
        // A merge patch: an update would need the lease's resourceVersion.
        await this.api.coordination.patchNamespacedLease({ name: node, namespace, body: { spec } }, MERGE_PATCH);
      } catch (error) {
        if (statusCodeOf(error) === 404) {
          await this.api.coordination
            .createNamespacedLease({ namespace, body: { metadata: { name: node, namespace }, spec } })
            .catch(() => {});
        }
      }
    }
  }

  private onPod(node: string, type: 'add' | 'update' | 'delete', pod: V1Pod): void {
    if (this.stopped) return;
    const uid = pod.metadata?.uid ?? '';
    let worker = this.workers.get(uid);
    if (type === 'delete') {
      worker?.deleted(pod);
      return;
    }
    if (!worker) {
      // A pod of a finished run (Succeeded/Failed) is not started again.
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      worker = new PodWorker(pod, {
        api: this.api,
        node,
        hostIP: this.options.nodeIP,
        network: this.options.network,
        baseEnv: this.baseEnv,
        ...(this.options.logDir ? { logDir: this.options.logDir } : {}),
        onEvent: (event: PodEvent) => this.emit('pod-event', event),
        onGone: (gone) => this.workers.delete(gone),
      });
      this.workers.set(uid, worker);
    }
    worker.sync(pod);
  }

  /** The address of a pod this agent runs (undefined before its sandbox exists). */
  podIP(namespace: string, name: string): string | undefined {
    for (const w of this.workers.values()) if (w.name === `${namespace}/${name}`) return w.podIP;
    return undefined;
  }

  /** Stops watching and kills every pod at once (SIGKILL, sandboxes removed); the API objects stay as they are. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const w of this.watchers) w.stop();
    await Promise.all([...this.workers.values()].map((w) => w.abort()));
    this.workers.clear();
  }
}
