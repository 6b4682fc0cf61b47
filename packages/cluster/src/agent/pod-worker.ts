/**
 * One pod bound to this node, as the kubelet's pod worker handles it: the sandbox (network namespace and IP), the
 * init containers in order, then the containers; its status written after every change; on deletion every
 * container killed in parallel with the pod's deletion grace period, the final status written, the sandbox
 * removed and the pod object deleted.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { type AgentApi, statusCodeOf } from '../kube.js';
import type { PodNetwork, PodSandbox } from '../network.js';
import { ContainerRuntime, type EventType } from './container.js';
import { containerEnv } from './env.js';
import { podConditions, podPhase } from './status.js';

/** Something the node agent did to a pod, for callers that follow along (and the agent's log). */
export interface PodEvent {
  at: number;
  namespace: string;
  pod: string;
  type: EventType;
  reason: string;
  message: string;
}

export interface PodWorkerOptions {
  api: AgentApi;
  node: string;
  hostIP: string;
  network: PodNetwork;
  baseEnv: NodeJS.ProcessEnv;
  /** Where container output goes, one file per container; none: dropped. */
  logDir?: string;
  onEvent?: (event: PodEvent) => void;
  /** The pod is gone from this node (its object deleted or never to run). */
  onGone: (uid: string) => void;
}

export class PodWorker {
  private pod: V1Pod;
  sandbox: PodSandbox | undefined;
  private readonly init: ContainerRuntime[];
  private readonly containers: ContainerRuntime[];
  private initIndex = 0;
  private started = false;
  private terminating = false;
  private terminal = false;
  /** The pod object no longer exists (force-deleted, or deleted by us). */
  private objectGone = false;
  private readonly startTime = new Date().toISOString();
  private writing = false;
  private dirty = false;
  private lastWritten = '';
  private readonly logs = new Map<string, WriteStream>();

  constructor(
    pod: V1Pod,
    private readonly options: PodWorkerOptions,
  ) {
    this.pod = pod;
    const ctx = (init: boolean) => (spec: V1Container) =>
      new ContainerRuntime(
        spec,
        {
          pod: () => this.pod,
          get podIP() {
            return self.sandbox?.ip ?? '';
          },
          get netnsPath() {
            return self.sandbox?.netnsPath ?? '';
          },
          terminating: () => this.terminating,
          env: (c) => this.env(c),
          baseEnv: options.baseEnv,
          event: (type, reason, message) => this.event(type, reason, message, spec.name),
          output: (container, line) => this.output(container, line),
          changed: () => this.changed(),
        },
        init,
      );
    const self = this;
    this.init = (pod.spec?.initContainers ?? []).map(ctx(true));
    this.containers = (pod.spec?.containers ?? []).map(ctx(false));
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  get name(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  private event(type: EventType, reason: string, message: string, container?: string): void {
    const fieldPath = container ? `spec.containers{${container}}` : undefined;
    if (!this.objectGone) this.options.api.event(this.pod, this.options.node, type, reason, message, fieldPath);
    this.options.onEvent?.({
      at: Date.now(),
      namespace: this.pod.metadata?.namespace ?? '',
      pod: this.pod.metadata?.name ?? '',
      type,
      reason,
      message,
    });
  }

  private output(container: string, line: string): void {
    const dir = this.options.logDir;
    if (!dir) return;
    let stream = this.logs.get(container);
    if (!stream) {
      mkdirSync(dir, { recursive: true });
      const file = `${this.pod.metadata?.namespace}_${this.pod.metadata?.name}_${container}.log`;
      stream = createWriteStream(join(dir, file), { flags: 'a' });
      stream.on('error', () => {});
      this.logs.set(container, stream);
    }
    stream.write(`${line}\n`);
  }

  private env(container: V1Container): Promise<Record<string, string>> {
    const namespace = this.pod.metadata?.namespace ?? 'default';
    const { api } = this.options;
    return containerEnv(
      this.pod,
      container,
      { podIP: this.sandbox?.ip ?? '', hostIP: this.options.hostIP },
      {
        map: (kind, name) =>
          kind === 'configMap' ? api.configMapData(namespace, name) : api.secretData(namespace, name),
        key: async (kind, name, key) => {
          const data =
            kind === 'configMap' ? await api.configMapData(namespace, name) : await api.secretData(namespace, name);
          return data?.[key];
        },
      },
    );
  }

  /** A new version of the pod object from the watch. */
  sync(pod: V1Pod): void {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp) {
      void this.terminate(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
      return;
    }
    if (!this.started) {
      this.started = true;
      void this.run();
      return;
    }
    // Someone else wrote our part of the status (the node lifecycle controller marks pods not Ready on a NotReady
    // node): write ours again, as the kubelet's status manager does on its next sync.
    if (this.sandbox && !this.writing && this.summary(pod.status ?? {}) !== this.summary(this.status())) {
      this.lastWritten = '';
      this.scheduleStatus();
    }
  }

  /** What must match between the API's status and ours: phase, IP and the conditions the kubelet owns. */
  private summary(status: { phase?: unknown; podIP?: unknown; conditions?: { type: string; status: string }[] }) {
    const own = (status.conditions ?? []).filter((c) => c.type === 'Ready' || c.type === 'ContainersReady');
    return JSON.stringify([status.phase, status.podIP, own.map((c) => `${c.type}=${c.status}`).sort()]);
  }

  /** The pod object was removed without us (a force delete): kill with its last grace period (0: the 2 s floor). */
  deleted(pod: V1Pod): void {
    this.objectGone = true;
    void this.terminate(pod.metadata?.deletionGracePeriodSeconds ?? 0);
  }

  private creating: Promise<unknown> | undefined;

  private async run(): Promise<void> {
    this.changed();
    const creating = this.options.network.create();
    this.creating = creating;
    try {
      this.sandbox = await creating;
    } catch (error) {
      this.event('Warning', 'FailedCreatePodSandBox', (error as Error).message);
      return;
    }
    // Deleted meanwhile: terminate() removes the sandbox once this creation is over.
    if (this.terminating) return;
    this.changed();
    this.advance();
  }

  /** Starts the next init container once the previous one succeeded, then every container. */
  private advance(): void {
    if (this.terminating || !this.sandbox) return;
    while (this.initIndex < this.init.length) {
      const current = this.init[this.initIndex] as ContainerRuntime;
      const done = current.terminated;
      if (done?.exitCode === 0) {
        this.initIndex++;
        continue;
      }
      // Each container starts once here; it restarts itself per restartPolicy.
      if (!this.containersStarted.has(current)) {
        this.containersStarted.add(current);
        void current.start();
      }
      return;
    }
    for (const c of this.containers) {
      if (this.containersStarted.has(c)) continue;
      this.containersStarted.add(c);
      void c.start();
    }
  }

  private readonly containersStarted = new Set<ContainerRuntime>();

  private changed(): void {
    if (!this.terminating) queueMicrotask(() => this.advance());
    this.scheduleStatus();
  }

  private scheduleStatus(): void {
    if (this.objectGone) return;
    if (this.writing) {
      this.dirty = true;
      return;
    }
    this.writing = true;
    setImmediate(() => void this.writeStatus());
  }

  private status(): { phase: string; podIP?: string; conditions: { type: string; status: string }[] } & Record<
    string,
    unknown
  > {
    const init = this.init.map((c) => c.status());
    const containers = this.containers.map((c) => c.status());
    const phase = podPhase(this.pod, init, containers, this.terminal);
    const ip = this.sandbox?.ip;
    const initialized = this.initIndex >= this.init.length;
    return {
      phase,
      conditions: podConditions(
        this.pod,
        {
          sandboxReady: this.sandbox !== undefined && !this.terminal,
          initialized,
          notReady: this.containers.filter((c) => !c.ready).map((c) => c.name),
          uninitialized: this.init.slice(this.initIndex).map((c) => c.name),
          phase,
        },
        new Date().toISOString(),
      ),
      hostIP: this.options.hostIP,
      hostIPs: [{ ip: this.options.hostIP }],
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      startTime: this.startTime,
      ...(init.length > 0 ? { initContainerStatuses: init } : {}),
      containerStatuses: containers,
    };
  }

  private async writeStatus(): Promise<void> {
    try {
      do {
        this.dirty = false;
        const status = this.status();
        const text =
          JSON.stringify({ ...status, conditions: undefined }) +
          JSON.stringify((status.conditions as { type: string; status: string }[]).map((c) => [c.type, c.status]));
        if (text === this.lastWritten) continue;
        try {
          await this.options.api.patchPodStatus(this.pod, status);
          this.lastWritten = text;
        } catch (error) {
          const code = statusCodeOf(error);
          if (code === 404 || code === 409) {
            this.objectGone = code === 404;
            break;
          }
          await new Promise((r) => setTimeout(r, 200));
          this.dirty = true;
        }
      } while (this.dirty && !this.objectGone);
    } finally {
      this.writing = false;
    }
  }

  private termination: Promise<void> | undefined;
  private graceSeconds = Number.POSITIVE_INFINITY;

  /** The kubelet's termination of a deleted pod; resolves when the pod is gone from this node. */
  terminate(graceSeconds: number): Promise<void> {
    if (this.termination) {
      // A later delete with a shorter grace period (or a force delete) shortens the kills under way.
      if (graceSeconds < this.graceSeconds) {
        this.graceSeconds = graceSeconds;
        for (const c of [...this.init, ...this.containers]) void c.kill(graceSeconds, `Stopping container ${c.name}`);
      }
      return this.termination;
    }
    this.graceSeconds = graceSeconds;
    this.terminating = true;
    this.termination = (async () => {
      const all = [...this.init, ...this.containers];
      for (const c of all) {
        c.cancelRestart();
        c.stopProbes('liveness-startup');
      }
      this.scheduleStatus();
      await Promise.all(all.map((c) => c.kill(graceSeconds, `Stopping container ${c.name}`)));
      for (const c of all) c.stopProbes('all');
      this.terminal = true;
      await this.flushStatus();
      await this.creating?.catch(() => {});
      if (this.sandbox) await this.options.network.remove(this.sandbox);
      if (!this.objectGone) {
        try {
          await this.options.api.deletePod(this.pod);
        } catch (error) {
          this.event('Warning', 'FailedDelete', `cannot delete the pod: ${(error as Error).message}`);
        }
      }
      this.objectGone = true;
      for (const stream of this.logs.values()) stream.end();
      this.options.onGone(this.uid);
    })();
    return this.termination;
  }

  /** Waits for the status write in flight and writes the current status once more. */
  private async flushStatus(): Promise<void> {
    while (this.writing) await new Promise((r) => setTimeout(r, 10));
    this.scheduleStatus();
    while (this.writing) await new Promise((r) => setTimeout(r, 10));
  }

  /** The node agent stops: SIGKILL every container and remove the sandbox, leaving the pod object as it is. */
  async abort(): Promise<void> {
    this.terminating = true;
    this.objectGone = true;
    await Promise.all([...this.init, ...this.containers].map((c) => c.abort()));
    await this.creating?.catch(() => {});
    if (this.sandbox) await this.options.network.remove(this.sandbox);
    for (const stream of this.logs.values()) stream.end();
  }

  /** The pod's address, once its sandbox exists. */
  get podIP(): string | undefined {
    return this.sandbox?.ip;
  }
}
