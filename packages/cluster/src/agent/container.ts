/**
 * One container of a pod as the kubelet runs it, as a local process in the pod's network namespace: start from
 * command/args (the image is recorded, not pulled), startup/readiness/liveness probes with the prober worker's
 * semantics, restarts per restartPolicy with CrashLoopBackOff, and killContainer (preStop cut at the grace period,
 * the remainder truncated to whole seconds and at least 2 s, the stop signal, SIGKILL).
 */
import { constants } from 'node:os';
import type { V1Container, V1ContainerStatus, V1LifecycleHandler, V1Pod, V1Probe } from '@kubernetes/client-node';
import { type Probe, resolveProbe } from '@zerodrop/core';
import {
  Containment,
  execCheck,
  httpCheck,
  type ProbeKind,
  type ProbeResult,
  type ProbeTarget,
  ProbeWorker,
  type ProcessExit,
  ReplicaProcess,
  restartBackoffSeconds,
  SpawnError,
} from '@zerodrop/rehearse';
import { expandReferences } from './env.js';

let containment: Containment | undefined;
let containmentLogRoot: string | undefined;

/**
 * Where the containers' output files go: the agent's pod log folder, which `zerodrop cluster start` empties (a
 * `cluster stop` SIGKILLs the agent, which then cannot remove them itself). Call before the first container starts.
 */
export function useContainerLogRoot(dir: string | undefined): void {
  containmentLogRoot = dir;
}

/**
 * Where this agent's containers run (a cgroup, a PID namespace and a process group each, their output in files):
 * one for the agent's life; whatever is left of it is killed when the agent exits.
 */
function agentContainment(): Containment {
  containment ??= new Containment(containmentLogRoot ? { logRoot: containmentLogRoot } : {});
  return containment;
}

/** The kubelet's floor under the time between the stop signal and SIGKILL (minimumGracePeriodInSeconds). */
export const MINIMUM_GRACE_SECONDS = 2;

/**
 * When killContainer sends SIGKILL, counted from the start of the kill, given how long the preStop hook ran: the
 * hook is cut at the grace period, the kubelet subtracts its whole seconds (executePreStopHook truncates), and at
 * least 2 s remain for the stop signal.
 */
export function sigkillDelayMs(graceSeconds: number, preStopMs: number | undefined): number {
  if (preStopMs === undefined) return Math.max(graceSeconds, MINIMUM_GRACE_SECONDS) * 1000;
  const remaining = Math.max(graceSeconds - Math.floor(preStopMs / 1000), MINIMUM_GRACE_SECONDS);
  return preStopMs + remaining * 1000;
}

export type EventType = 'Normal' | 'Warning';

/** What a container needs from its pod. */
export interface ContainerContext {
  pod(): V1Pod;
  podIP: string;
  netnsPath: string;
  terminating(): boolean;
  /** The container's environment (throws for an unresolvable reference). */
  env(container: V1Container): Promise<Record<string, string>>;
  /** The process environment a container starts from (PATH and the like: what an image would give). */
  baseEnv: NodeJS.ProcessEnv;
  event(type: EventType, reason: string, message: string): void;
  output(container: string, line: string): void;
  changed(): void;
}

type State =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string }
  | {
      kind: 'terminated';
      exitCode: number;
      signal?: number;
      reason: string;
      message?: string;
      startedAt?: string;
      finishedAt: string;
    };

function exitCodeOf(exit: ProcessExit): { exitCode: number; signal?: number } {
  if (exit.signal) {
    const signal = constants.signals[exit.signal as NodeJS.Signals] ?? 9;
    return { exitCode: 128 + signal, signal };
  }
  return { exitCode: exit.code ?? 0 };
}

export class ContainerRuntime {
  private state: State = { kind: 'waiting', reason: 'ContainerCreating' };
  private lastState: State | undefined;
  restartCount = 0;
  /** Startup probe passed (or none). */
  private started = false;
  private readinessOk = false;
  private process: ReplicaProcess | undefined;
  private generation = 0;
  private workers: ProbeWorker[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private killing: Promise<void> | undefined;
  private stopped = false;
  private exitWaiters: (() => void)[] = [];

  constructor(
    readonly spec: V1Container,
    private readonly ctx: ContainerContext,
    /** An init container runs to completion; a regular one per restartPolicy. */
    readonly init = false,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.state.kind === 'running';
  }

  get terminated(): (State & { kind: 'terminated' }) | undefined {
    return this.state.kind === 'terminated' ? this.state : undefined;
  }

  /** Ran before (its last run is in lastState), now waiting to run again. */
  get restarting(): boolean {
    return this.state.kind === 'waiting' && this.lastState !== undefined;
  }

  get ready(): boolean {
    return this.running && this.started && (this.spec.readinessProbe ? this.readinessOk : true);
  }

  private get restartPolicy(): string {
    return this.ctx.pod().spec?.restartPolicy ?? 'Always';
  }

  private setState(state: State): void {
    this.state = state;
    this.ctx.changed();
  }

  /** The command line: command + args with $(VAR) expanded; none means the image's entrypoint, which is not run. */
  private commandLine(env: Record<string, string>): string[] | undefined {
    const command = this.spec.command ?? [];
    if (command.length === 0) return undefined;
    return [...command, ...(this.spec.args ?? [])].map((a) => expandReferences(a, env));
  }

  /** Starts (or restarts) the container. */
  async start(): Promise<void> {
    if (this.stopped || this.ctx.terminating()) return;
    const generation = ++this.generation;
    let env: Record<string, string>;
    try {
      env = await this.ctx.env(this.spec);
    } catch (error) {
      this.ctx.event('Warning', 'Failed', `Error: ${(error as Error).message}`);
      this.setState({ kind: 'waiting', reason: 'CreateContainerConfigError', message: (error as Error).message });
      return;
    }
    if (this.stopped || this.ctx.terminating()) return;
    const command = this.commandLine(env);
    if (!command) {
      const message =
        `container "${this.name}" has no command: the zerodrop node agent runs command/args as a local process ` +
        `and does not pull or run the image ${this.spec.image ?? ''}`;
      this.ctx.event('Warning', 'Failed', message);
      this.setState({ kind: 'waiting', reason: 'CreateContainerError', message });
      return;
    }
    const pod = this.ctx.pod().metadata;
    const proc = new ReplicaProcess(
      ['nsenter', `--net=${this.ctx.netnsPath}`, '--', ...command],
      { ...env },
      {
        containment: agentContainment(),
        // One container run of one pod: the pod's uid, the container, the run.
        name: `${pod?.uid ?? pod?.name ?? 'pod'}.${this.name}.${generation}`,
        onOutput: (line) => this.ctx.output(this.name, line),
        baseEnv: { ...this.ctx.baseEnv, HOSTNAME: pod?.name ?? '' },
        ...(this.spec.workingDir ? { cwd: this.spec.workingDir } : {}),
      },
    );
    this.process = proc;
    try {
      await proc.started;
    } catch (error) {
      const message = error instanceof SpawnError ? error.message : String(error);
      this.ctx.event('Warning', 'Failed', `Error: ${message}`);
      this.setState({
        kind: 'terminated',
        exitCode: 128,
        reason: 'StartError',
        message,
        finishedAt: new Date().toISOString(),
      });
      this.afterExit(generation, { code: 128, signal: null });
      return;
    }
    // Deleted or superseded while it started: it never counts as running.
    if (generation !== this.generation || this.stopped || this.ctx.terminating()) {
      proc.kill();
      return;
    }
    proc.once('exit', (exit: ProcessExit) => this.onExit(generation, exit));
    this.started = !this.spec.startupProbe;
    this.readinessOk = false;
    this.ctx.event('Normal', 'Started', `Started container ${this.name}`);
    this.setState({ kind: 'running', startedAt: new Date().toISOString() });
    if (!this.init) {
      this.startProbes(generation, env);
      if (this.spec.lifecycle?.postStart) void this.runPostStart(generation, this.spec.lifecycle.postStart, env);
    }
  }

  /** A failed postStart hook kills the container (FailedPostStartHook), which then restarts per policy. */
  private async runPostStart(generation: number, hook: V1LifecycleHandler, env: Record<string, string>) {
    const ok = await this.runHook(hook, env, 30_000);
    if (!ok && generation === this.generation && this.running) {
      this.ctx.event('Warning', 'FailedPostStartHook', `PostStartHook failed`);
      await this.kill(this.graceFor('postStart'), 'postStart hook failed');
    }
  }

  private target(env: Record<string, string>): ProbeTarget {
    return {
      port: 0,
      env,
      host: this.ctx.podIP,
      resolvePort: (port) => this.resolvePort(port),
      execPrefix: ['nsenter', `--net=${this.ctx.netnsPath}`, '--'],
      ...(this.spec.workingDir ? { cwd: this.spec.workingDir } : {}),
    };
  }

  /** A port number, or the containerPort of that name (NaN when no such port: the probe then fails). */
  resolvePort(port: number | string | undefined): number {
    if (typeof port === 'number') return port;
    if (port === undefined) return Number.NaN;
    if (/^\d+$/.test(port)) return Number(port);
    return this.spec.ports?.find((p) => p.name === port)?.containerPort ?? Number.NaN;
  }

  private probe(kind: ProbeKind, spec: V1Probe, env: Record<string, string>, onChange: (r: ProbeResult) => void) {
    const initial = kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
    const worker = new ProbeWorker({
      kind,
      probe: resolveProbe(spec as Probe),
      target: this.target(env),
      speed: 1,
      initial,
      onChange,
      // As the kubelet's prober: every failed probe is an Unhealthy event, below the failure threshold too (the API
      // side counts repeats of one event, as the kubelet's event recorder does).
      onResult: (raw) => {
        if (raw === 'failure') {
          this.ctx.event('Warning', 'Unhealthy', `${kind[0]?.toUpperCase()}${kind.slice(1)} probe failed`);
        }
      },
    });
    this.workers.push(worker);
    worker.start();
    return worker;
  }

  private startProbes(generation: number, env: Record<string, string>): void {
    const { startupProbe, readinessProbe, livenessProbe } = this.spec;
    const main = () => {
      if (readinessProbe) {
        this.probe('readiness', readinessProbe, env, (result) => {
          if (generation !== this.generation) return;
          this.readinessOk = result === 'success';
          this.ctx.changed();
        });
      }
      if (livenessProbe && !this.ctx.terminating()) {
        this.probe('liveness', livenessProbe, env, (result) => {
          if (result === 'failure' && generation === this.generation && !this.ctx.terminating()) {
            void this.kill(
              this.graceFor('liveness'),
              `Container ${this.name} failed liveness probe, will be restarted`,
            );
          }
        });
      }
    };
    if (!startupProbe) {
      main();
      return;
    }
    const worker = this.probe('startup', startupProbe, env, (result) => {
      if (generation !== this.generation) return;
      if (result === 'success') {
        worker.stop();
        this.started = true;
        this.ctx.changed();
        main();
      } else if (!this.ctx.terminating()) {
        void this.kill(this.graceFor('startup'), `Container ${this.name} failed startup probe, will be restarted`);
      }
    });
  }

  /** The grace period of a kill the kubelet starts itself (probe failures): the probe's own, else the pod's. */
  private graceFor(reason: 'liveness' | 'startup' | 'postStart'): number {
    const probe =
      reason === 'liveness' ? this.spec.livenessProbe : reason === 'startup' ? this.spec.startupProbe : undefined;
    return probe?.terminationGracePeriodSeconds ?? this.ctx.pod().spec?.terminationGracePeriodSeconds ?? 30;
  }

  /** Liveness and startup stop when the pod terminates; readiness keeps running (prober/worker.go). */
  stopProbes(which: 'liveness-startup' | 'all'): void {
    const keep: ProbeWorker[] = [];
    for (const worker of this.workers) {
      if (which === 'liveness-startup' && worker.kind === 'readiness') keep.push(worker);
      else worker.stop();
    }
    this.workers = keep;
  }

  private onExit(generation: number, exit: ProcessExit): void {
    if (generation !== this.generation) return;
    this.stopProbes('all');
    const { exitCode, signal } = exitCodeOf(exit);
    const startedAt = this.state.kind === 'running' ? this.state.startedAt : undefined;
    this.setState({
      kind: 'terminated',
      exitCode,
      ...(signal !== undefined ? { signal } : {}),
      reason: exitCode === 0 ? 'Completed' : 'Error',
      ...(startedAt ? { startedAt } : {}),
      finishedAt: new Date().toISOString(),
    });
    this.afterExit(generation, exit);
  }

  private afterExit(generation: number, exit: ProcessExit): void {
    for (const resolve of this.exitWaiters.splice(0)) resolve();
    if (generation !== this.generation || this.stopped || this.ctx.terminating()) return;
    const failed = exit.signal !== null || exit.code !== 0;
    const policy = this.init ? (this.restartPolicy === 'Never' ? 'Never' : 'OnFailure') : this.restartPolicy;
    const restart = policy === 'Always' || (policy === 'OnFailure' && failed);
    if (!restart) return;
    const delaySeconds = restartBackoffSeconds(this.restartCount);
    this.lastState = this.state;
    this.restartCount++;
    if (delaySeconds > 0) {
      const message = `back-off ${delaySeconds}s restarting failed container=${this.name} pod=${this.ctx.pod().metadata?.name}`;
      this.ctx.event('Warning', 'BackOff', `Back-off restarting failed container ${this.name}`);
      this.setState({ kind: 'waiting', reason: 'CrashLoopBackOff', message });
    } else {
      this.setState({ kind: 'waiting', reason: 'ContainerCreating' });
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.start();
    }, delaySeconds * 1000);
  }

  /** Resolves when the current run has exited (at once when it is not running). */
  exited(): Promise<void> {
    if (!this.process?.running) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** No more restarts: the pod is going away. */
  cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  /**
   * killContainer: preStop (when the grace period is above 0), cut at the grace period; the stop signal; SIGKILL
   * at sigkillDelayMs. Resolves when the process has exited. A second call while the first runs waits for it, but a
   * shorter grace period (a later delete with --grace-period, a force delete) takes over as the kubelet's new kill
   * does: the stop signal now (the running preStop no longer holds it back) and SIGKILL max(grace, 2 s) later, when
   * that is sooner.
   */
  kill(graceSeconds: number, message: string): Promise<void> {
    if (this.killing) {
      this.shorten?.(graceSeconds);
      return this.killing;
    }
    const proc = this.process;
    if (!proc?.running) return Promise.resolve();
    /** When SIGKILL is due (performance.now() time); undefined until the stop signal is sent. */
    let killAt: number | undefined;
    /** A sooner SIGKILL asked for while the preStop hook still ran. */
    let soonerAt = Number.POSITIVE_INFINITY;
    let timer: NodeJS.Timeout | undefined;
    const arm = (at: number) => {
      killAt = at;
      clearTimeout(timer);
      timer = setTimeout(() => proc.kill(), Math.max(0, at - performance.now()));
    };
    let cutPreStop: () => void = () => {};
    const preStopCut = new Promise<boolean>((resolve) => {
      cutPreStop = () => resolve(false);
    });
    this.shorten = (grace) => {
      const at = performance.now() + Math.max(grace, MINIMUM_GRACE_SECONDS) * 1000;
      if (killAt === undefined) {
        soonerAt = Math.min(soonerAt, at);
        cutPreStop();
      } else if (at < killAt) {
        proc.signal('SIGTERM');
        arm(at);
      }
    };
    this.killing = (async () => {
      this.ctx.event('Normal', 'Killing', message);
      const begin = performance.now();
      let preStopMs: number | undefined;
      const hook = this.spec.lifecycle?.preStop;
      if (hook && graceSeconds > 0) {
        const env = await this.ctx.env(this.spec).catch(() => ({}));
        const ok = await Promise.race([this.runHook(hook, env, graceSeconds * 1000, proc), preStopCut]);
        preStopMs = performance.now() - begin;
        if (!ok) this.ctx.event('Warning', 'FailedPreStopHook', 'PreStopHook failed');
      }
      proc.signal('SIGTERM');
      arm(Math.min(begin + sigkillDelayMs(graceSeconds, preStopMs), soonerAt));
      await proc.exited();
      clearTimeout(timer);
      await this.exited();
    })();
    const done = this.killing;
    void done.finally(() => {
      if (this.killing === done) {
        this.killing = undefined;
        this.shorten = undefined;
      }
    });
    return done;
  }

  private shorten: ((graceSeconds: number) => void) | undefined;

  /**
   * Runs a lifecycle hook, at most `limitMs`; resolves to whether it succeeded. An exec hook runs in the container's
   * namespace and ends when the container does; an httpGet goes to the pod IP.
   */
  private runHook(
    hook: V1LifecycleHandler,
    env: Record<string, string>,
    limitMs: number,
    proc?: ReplicaProcess,
  ): Promise<boolean> {
    const within = (work: Promise<boolean>) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), limitMs);
        const onExit = () => resolve(false);
        if (proc && !hook.sleep) proc.once('exit', onExit);
        void work.then((ok) => {
          clearTimeout(timer);
          proc?.off('exit', onExit);
          resolve(ok);
        });
      });
    if (hook.sleep) {
      return within(new Promise((r) => setTimeout(() => r(true), hook.sleep!.seconds * 1000)));
    }
    if (hook.exec) {
      const command = ['nsenter', `--net=${this.ctx.netnsPath}`, '--', ...(hook.exec.command ?? [])];
      return within(execCheck(command, env, limitMs, this.spec.workingDir));
    }
    if (hook.httpGet) {
      const port = this.resolvePort(hook.httpGet.port as number | string);
      const host = hook.httpGet.host || this.ctx.podIP;
      const secure = hook.httpGet.scheme === 'HTTPS';
      return within(httpCheck(port, hook.httpGet.path ?? '/', limitMs, 'kube-lifecycle/1.33', host, secure));
    }
    // tcpSocket is deprecated as a hook: the kubelet accepts it and does nothing.
    return Promise.resolve(true);
  }

  /** Tears the container down at once (the node agent stops): SIGKILL, no hook. */
  async abort(): Promise<void> {
    this.stopped = true;
    this.cancelRestart();
    this.stopProbes('all');
    this.process?.kill();
    await this.exited();
  }

  status(): V1ContainerStatus {
    return {
      name: this.name,
      image: this.spec.image ?? '',
      imageID: '',
      ...(this.process?.pid !== undefined ? { containerID: `zerodrop://${this.process.pid}` } : {}),
      ready: this.ready,
      started: this.running && this.started,
      restartCount: this.restartCount,
      state: stateOf(this.state),
      ...(this.lastState ? { lastState: stateOf(this.lastState) } : { lastState: {} }),
    };
  }
}

function stateOf(state: State): V1ContainerStatus['state'] {
  switch (state.kind) {
    case 'waiting':
      return { waiting: { reason: state.reason, ...(state.message ? { message: state.message } : {}) } };
    case 'running':
      return { running: { startedAt: state.startedAt as unknown as Date } };
    case 'terminated':
      return {
        terminated: {
          exitCode: state.exitCode,
          ...(state.signal !== undefined ? { signal: state.signal } : {}),
          reason: state.reason,
          ...(state.message ? { message: state.message } : {}),
          ...(state.startedAt ? { startedAt: state.startedAt as unknown as Date } : {}),
          finishedAt: state.finishedAt as unknown as Date,
        },
      };
  }
}
