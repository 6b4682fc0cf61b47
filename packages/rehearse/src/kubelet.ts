import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { type ResolvedProbe, sigkillAtSeconds } from '@zerodrop/core';
import type { Containment } from './containment.js';
import type { PodView, Revision } from './controller.js';
import { type ProbeKind, type ProbeResult, type ProbeTarget, ProbeWorker } from './probe.js';
import { type OutputTail, type ProcessExit, ReplicaProcess, SpawnError } from './process.js';
import type { PodEvent, PodState } from './result.js';
import { type PodSettings, type PreStopHook, scaledMs } from './settings.js';

export interface PodOptions {
  name: string;
  revision: Revision;
  port: number;
  command: string[];
  env: Record<string, string>;
  settings: PodSettings;
  speed: number;
  /** Milliseconds since the rehearsal started. */
  clock: () => number;
  /** Readiness gates (e.g. the external load balancer's health): Ready needs every gate true. */
  gate?: () => boolean;
  /** Where the containers run (cgroup, PID namespace, output files). */
  containment: Containment;
  /** Every line the app prints (read from its output files, off the hot path). */
  onOutput?: (line: string) => void;
}

/** Probe-initiated restarts of one pod after which the rehearsal calls it a crash loop. */
export const CRASH_LOOP_RESTARTS = 3;

/** CrashLoopBackOff: the first restart is immediate, then 10 s doubling up to 300 s. */
export function restartBackoffSeconds(restarts: number): number {
  if (restarts <= 0) return 0;
  return Math.min(10 * 2 ** (restarts - 1), 300);
}

/**
 * One pod as its kubelet runs it: the container process, startup/readiness/liveness probes, restarts, and the
 * termination sequence of killContainer (preStop cut at the grace period, stop signal, SIGKILL).
 * Emits 'change' whenever what the controllers or endpoints see changes, 'fatal' (SpawnError) when the command
 * cannot start at all, 'crashed' (ProcessExit) when the container exits although nobody asked it to, and
 * 'crash-loop' (reason) when probes have restarted it CRASH_LOOP_RESTARTS times.
 */
export class Pod extends EventEmitter {
  readonly name: string;
  readonly revision: Revision;
  readonly port: number;
  readonly createdMs: number;
  readonly uid = randomUUID();
  readonly events: PodEvent[] = [];
  running = false;
  /** The containers are ready (readiness probe), before readiness gates. */
  containersReady = false;
  ready = false;
  readySinceMs: number | undefined;
  terminating = false;
  gone = false;
  restarts = 0;
  /** When the kubelet SIGKILLed a still-running container. */
  killedAtMs: number | undefined;
  pid: number | undefined;
  lastExit: ProcessExit | undefined;
  /** When the current container started (rehearsal clock, ms). */
  containerStartedMs: number | undefined;
  /** Restarts the liveness or startup probe caused. */
  probeRestarts = 0;
  private process: ReplicaProcess | undefined;
  private workers: ProbeWorker[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private containerGeneration = 0;
  private goneResolvers: (() => void)[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: PodOptions) {
    super();
    this.name = options.name;
    this.revision = options.revision;
    this.port = options.port;
    this.createdMs = options.clock();
    this.record('created', `port ${options.port}`);
  }

  private get settings(): PodSettings {
    return this.options.settings;
  }

  private ms(seconds: number): number {
    return scaledMs(seconds, this.options.speed);
  }

  private record(state: PodState, detail?: string): void {
    this.events.push({ atMs: Math.round(this.options.clock()), state, ...(detail ? { detail } : {}) });
  }

  private changed(): void {
    this.emit('change', this);
  }

  /** What the Deployment and ReplicaSet controllers see. */
  view(): PodView {
    return {
      name: this.name,
      uid: this.uid,
      revision: this.revision,
      createdMs: this.createdMs,
      running: this.running,
      ready: this.ready,
      ...(this.readySinceMs !== undefined ? { readySinceMs: this.readySinceMs } : {}),
      terminating: this.terminating,
      gone: this.gone,
      restarts: this.restarts,
    };
  }

  /** The last lines the current (or last) container printed. */
  output(lines = 10): OutputTail {
    return this.process?.output(lines) ?? { stderr: [], stdout: [] };
  }

  /** The processes of the running container, as this machine sees them. */
  pids(): Promise<number[]> {
    return this.process?.pids() ?? Promise.resolve([]);
  }

  start(): void {
    void this.startContainer();
  }

  private async startContainer(): Promise<void> {
    const generation = ++this.containerGeneration;
    const proc = new ReplicaProcess(
      this.options.command,
      { ...this.options.env, PORT: String(this.port) },
      {
        containment: this.options.containment,
        name: `${this.name}.${generation}`,
        ...(this.options.onOutput ? { onOutput: this.options.onOutput } : {}),
      },
    );
    this.process = proc;
    try {
      this.pid = await proc.started;
    } catch (error) {
      // A pod torn down while its container starts is not a broken command.
      if (error instanceof SpawnError && !this.terminating) this.emit('fatal', error);
      return;
    }
    if (generation !== this.containerGeneration || this.gone) {
      proc.kill();
      return;
    }
    this.running = true;
    this.containerStartedMs = this.options.clock();
    this.record('started', this.restarts > 0 ? `pid ${this.pid}, restart ${this.restarts}` : `pid ${this.pid}`);
    proc.once('exit', (exit: ProcessExit) => this.onContainerExit(generation, exit));
    this.startProbes(generation);
    this.changed();
  }

  private target(): ProbeTarget {
    return { port: this.port, env: { ...this.options.env, PORT: String(this.port) } };
  }

  /** Starts one prober worker for the current container, with the kubelet's initial result for its kind. */
  private probe(kind: ProbeKind, probe: ResolvedProbe, onChange: (result: ProbeResult) => void): ProbeWorker {
    const initial = kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
    const worker = new ProbeWorker({
      kind,
      probe,
      target: this.target(),
      speed: this.options.speed,
      initial,
      onChange,
    });
    this.workers.push(worker);
    worker.start();
    return worker;
  }

  private startProbes(generation: number): void {
    const { startup } = this.settings;
    if (!startup) {
      this.startMainProbes(generation);
      return;
    }
    const worker = this.probe('startup', startup, (result) => {
      if (generation !== this.containerGeneration) return;
      if (result === 'success') {
        worker.stop();
        this.startMainProbes(generation);
      } else {
        void this.restartContainer(generation, 'startup probe failed');
      }
    });
  }

  private startMainProbes(generation: number): void {
    const { readiness, liveness } = this.settings;
    if (readiness) {
      this.probe('readiness', readiness, (result) => {
        if (generation === this.containerGeneration && this.running) this.setContainersReady(result === 'success');
      });
    } else {
      // No readiness probe: Ready as soon as the container runs.
      this.setContainersReady(true);
    }
    if (liveness && !this.terminating) {
      this.probe('liveness', liveness, (result) => {
        if (result === 'failure' && generation === this.containerGeneration && !this.terminating) {
          void this.restartContainer(generation, 'liveness probe failed');
        }
      });
    }
  }

  private setContainersReady(ready: boolean): void {
    if (this.containersReady === ready) return;
    this.containersReady = ready;
    this.refreshReady();
  }

  /** Re-evaluates Ready = containers ready && every readiness gate; call when a gate may have changed. */
  refreshReady(): void {
    const ready = this.containersReady && this.running && (this.options.gate?.() ?? true);
    if (ready === this.ready) return;
    this.ready = ready;
    if (ready) this.readySinceMs = this.options.clock();
    this.record(ready ? 'ready' : 'not-ready');
    this.changed();
  }

  private stopProbes(kinds?: 'liveness-startup'): void {
    const keep: ProbeWorker[] = [];
    for (const worker of this.workers) {
      if (kinds === 'liveness-startup' && worker.kind === 'readiness') keep.push(worker);
      else worker.stop();
    }
    this.workers = keep;
  }

  private onContainerExit(generation: number, exit: ProcessExit): void {
    if (generation !== this.containerGeneration) return;
    this.lastExit = exit;
    this.running = false;
    this.stopProbes();
    this.containersReady = false;
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    if (this.killedAtMs === undefined || exit.signal !== 'SIGKILL') this.record('exited', how);
    this.refreshReady();
    if (this.terminating) return;
    if (this.stopping) return; // a liveness/startup restart is under way
    // Nobody asked it to stop: a crash. The kubelet restarts it (restartPolicy Always, with CrashLoopBackOff).
    this.emit('crashed', exit);
    this.scheduleRestart();
    this.changed();
  }

  private scheduleRestart(): void {
    const delay = this.ms(restartBackoffSeconds(this.restarts));
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.terminating) void this.startContainer();
    }, delay);
  }

  private async restartContainer(generation: number, reason: string): Promise<void> {
    if (this.stopping || generation !== this.containerGeneration) return;
    this.record('not-ready', reason);
    this.probeRestarts++;
    if (this.probeRestarts >= CRASH_LOOP_RESTARTS) this.emit('crash-loop', reason);
    const grace = this.settings.gracePeriodSeconds;
    this.stopping = this.killContainer(grace);
    await this.stopping;
    this.stopping = undefined;
    if (this.terminating) return;
    this.scheduleRestart();
    this.changed();
  }

  /**
   * killContainer: run preStop (cut at the grace period), send the stop signal, SIGKILL the group at
   * sigkillAtSeconds(preStop, grace). Resolves when the container has exited.
   */
  private async killContainer(graceSeconds: number): Promise<void> {
    const proc = this.process;
    if (!proc?.running) return;
    const started = performance.now();
    const hook = this.settings.preStop;
    let hookSeconds = 0;
    if (hook && graceSeconds > 0) {
      await this.runPreStop(hook, proc, this.ms(graceSeconds));
      hookSeconds = ((performance.now() - started) / 1000) * this.options.speed;
      this.record('prestop-done', `after ${((performance.now() - started) / 1000).toFixed(2)}s`);
    }
    const sigkillAtMs = this.ms(sigkillAtSeconds(hookSeconds, graceSeconds));
    if (proc.running) {
      this.record('stop-signal', this.settings.stopSignal);
      proc.signal(this.settings.stopSignal);
    }
    const remaining = Math.max(0, sigkillAtMs - (performance.now() - started));
    const timer = setTimeout(() => {
      if (!proc.running) return;
      this.killedAtMs = this.options.clock();
      this.record('killed', `SIGKILL at ${(sigkillAtMs / 1000).toFixed(2)}s (grace ${graceSeconds}s)`);
      proc.kill();
    }, remaining);
    await proc.exited();
    clearTimeout(timer);
  }

  private runPreStop(hook: PreStopHook, proc: ReplicaProcess, limitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cleanups: (() => void)[] = [];
      const done = () => {
        for (const c of cleanups) c();
        resolve();
      };
      const limit = setTimeout(done, limitMs);
      cleanups.push(() => clearTimeout(limit));
      const endsWithContainer = hook.type !== 'sleep' || hook.inContainer === true;
      if (endsWithContainer) {
        proc.once('exit', done);
        cleanups.push(() => proc.off('exit', done));
      }
      if (hook.type === 'sleep') {
        const t = setTimeout(done, this.ms(hook.seconds));
        cleanups.push(() => clearTimeout(t));
      } else if (hook.type === 'httpGet') {
        const req = http.get({ host: '127.0.0.1', port: this.port, path: hook.path, agent: false }, (res) => {
          res.resume();
          res.on('end', done);
          res.on('error', done);
        });
        req.on('error', done);
        cleanups.push(() => req.destroy());
      } else {
        const [file, ...args] = hook.command;
        if (!file) {
          done();
          return;
        }
        const child = spawn(file, args, {
          env: { ...process.env, ...this.options.env, PORT: String(this.port) },
          stdio: 'ignore',
          detached: true,
        });
        child.on('error', done);
        child.on('exit', done);
        cleanups.push(() => {
          try {
            if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        });
      }
    });
  }

  /**
   * Deletes the pod: terminating at once (endpoints and controllers see it), liveness and startup probes stop,
   * readiness keeps running, then killContainer with the pod's grace period. Resolves when the pod is gone.
   */
  delete(): Promise<void> {
    if (this.gone) return Promise.resolve();
    const goneNow = new Promise<void>((resolve) => this.goneResolvers.push(resolve));
    if (this.terminating) return goneNow;
    this.terminating = true;
    this.record('terminating');
    this.stopProbes('liveness-startup');
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
    }
    this.changed();
    void (async () => {
      if (this.stopping) await this.stopping;
      await this.killContainer(this.settings.gracePeriodSeconds);
      this.markGone();
    })();
    return goneNow;
  }

  private markGone(): void {
    if (this.gone) return;
    this.stopProbes();
    this.gone = true;
    this.running = false;
    this.ready = false;
    this.changed();
    for (const resolve of this.goneResolvers.splice(0)) resolve();
  }

  /** Tears the pod down at once (rehearsal aborted): SIGKILL, no hooks. */
  async abort(): Promise<void> {
    this.terminating = true;
    this.stopProbes();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.containerGeneration++;
    const proc = this.process;
    if (proc) {
      proc.kill();
      // Also when it had not reported its start yet: resolved once its watchdog, and so all of it, is gone.
      await proc.exited();
    }
    this.markGone();
  }
}
