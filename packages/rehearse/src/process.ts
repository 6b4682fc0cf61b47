import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cgroupPids } from './cgroup.js';
import {
  type ContainerSandbox,
  type Containment,
  killSandbox,
  REPLICA_MARKER,
  resolveExecutable,
} from './containment.js';
import { LogFollower, tailLines } from './logs.js';
import { processTree } from './procfs.js';

const WATCHDOG = fileURLToPath(new URL('./watchdog.js', import.meta.url));

/** What the watchdog (`watchdog.ts`) reports over its IPC channel. */
export type WatchdogMessage =
  | { type: 'started'; pid: number }
  | { type: 'error'; code: string; message: string }
  | { type: 'exit'; code: number | null; signal: string | null };

/** What the rehearsal asks of the watchdog: pass a signal on to the command (the stop signal). */
export type WatchdogRequest = { type: 'signal'; signal: NodeJS.Signals };

/** The watchdog's settings, in its environment; removed from the command's. */
export const WATCHDOG_ENV = {
  parent: 'ZERODROP_WATCHDOG_PARENT',
  cgroup: 'ZERODROP_WATCHDOG_CGROUP',
  sweep: 'ZERODROP_WATCHDOG_SWEEP',
  /** What to remove when the rehearsal is gone: files, then folders, separated by newlines. */
  cleanup: 'ZERODROP_WATCHDOG_CLEANUP',
} as const;

export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

/** The replica command could not be started at all (not found, not executable). */
export class SpawnError extends Error {
  override name = 'SpawnError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ReplicaProcessOptions {
  /** Where it runs (cgroup, PID namespace, output files). */
  containment: Containment;
  /** Unique in the containment: the pod and its restart count. */
  name: string;
  /**
   * The environment `env` adds to: this process's by default, as a rehearsal wants; a node agent gives a container
   * only what its spec says.
   */
  baseEnv?: NodeJS.ProcessEnv;
  /** The working directory. */
  cwd?: string;
  /** Every line it prints, read from its output files (off the hot path). */
  onOutput?: (line: string) => void;
}

/** The last lines a container printed, stderr and stdout apart (the files do not keep their interleaving). */
export interface OutputTail {
  stderr: string[];
  stdout: string[];
}

/**
 * One run of the replica's command (a container): started through the watchdog, inside the sandbox the containment
 * gives it (cgroup, PID namespace, process group). Emits 'exit' (ProcessExit) once, after everything of the run is
 * gone: when the watchdog itself dies, whatever it supervised is killed first.
 */
export class ReplicaProcess extends EventEmitter {
  /** The command's pid as this machine sees it. */
  pid: number | undefined;
  exit: ProcessExit | undefined;
  private reported: ProcessExit | undefined;
  private readonly watchdog: ChildProcess | undefined;
  readonly sandbox: ContainerSandbox;
  readonly started: Promise<number>;

  private readonly containment: Containment;

  constructor(command: string[], env: Record<string, string>, options: ReplicaProcessOptions) {
    super();
    const { containment, onOutput } = options;
    this.containment = containment;
    this.sandbox = containment.container(options.name);
    const merged = { ...(options.baseEnv ?? process.env), ...env };
    const [file] = command;
    if (!file || resolveExecutable(file, merged, options.cwd) === undefined) {
      this.started = Promise.reject(
        new SpawnError('ENOENT', `${file ?? 'the command'}: not found (check the command after --, and PATH)`),
      );
      this.started.catch(() => {});
      queueMicrotask(() => this.finish({ code: 127, signal: null }));
      return;
    }
    const out = openSync(this.sandbox.stdoutFile, 'a');
    const err = openSync(this.sandbox.stderrFile, 'a');
    const argv = [...(containment.pidNamespace ?? []), process.execPath, WATCHDOG, ...command];
    try {
      this.watchdog = spawn(argv[0] as string, argv.slice(1), {
        env: {
          ...merged,
          [REPLICA_MARKER]: this.sandbox.id,
          [WATCHDOG_ENV.parent]: String(process.pid),
          ...(this.sandbox.cgroup ? { [WATCHDOG_ENV.cgroup]: this.sandbox.cgroup } : {}),
          ...(containment.needsSweep ? { [WATCHDOG_ENV.sweep]: '1' } : {}),
          [WATCHDOG_ENV.cleanup]: containment.leftovers(this.sandbox).join('\n'),
        },
        stdio: ['ignore', out, err, 'ipc'],
        ...(options.cwd ? { cwd: options.cwd } : {}),
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    if (onOutput) {
      const follower = new LogFollower([this.sandbox.stdoutFile, this.sandbox.stderrFile], onOutput);
      this.once('exit', () => void follower.stop());
    }
    const watchdog = this.watchdog;
    if (watchdog.pid !== undefined) this.sandbox.pids.add(watchdog.pid);
    this.started = new Promise((resolve, reject) => {
      watchdog.on('message', (message: WatchdogMessage) => {
        if (message.type === 'started') {
          this.pid = message.pid;
          this.sandbox.pids.add(message.pid);
          resolve(message.pid);
        } else if (message.type === 'error') {
          reject(new SpawnError(message.code, message.message));
        } else if (message.type === 'exit') {
          // Reported once the watchdog itself is gone too, so that nothing of the replica is left at 'exit'.
          this.reported = { code: message.code, signal: message.signal };
        }
      });
      watchdog.on('exit', (code, signal) => {
        reject(
          new SpawnError('EWATCHDOG', `the process supervisor exited (${signal ?? code}) before the command started`),
        );
        if (!this.reported) {
          // The watchdog died first (killed from outside): what it supervised must not live on, holding the port.
          killSandbox(this.sandbox, this.containment.needsSweep);
        }
        this.finish(this.reported ?? { code: null, signal: 'SIGKILL', ...(signal ? {} : {}) });
      });
      watchdog.on('error', (error) => reject(new SpawnError('EWATCHDOG', error.message)));
    });
    this.started.catch(() => {});
  }

  private finish(exit: ProcessExit): void {
    if (this.exit) return;
    this.exit = exit;
    // A watchdog that outlived what started it (its start raced a kill) sees the channel close and ends itself.
    if (this.watchdog?.connected) this.watchdog.disconnect();
    this.containment.release(this.sandbox);
    this.emit('exit', exit);
  }

  get running(): boolean {
    return this.pid !== undefined && this.exit === undefined && this.reported === undefined;
  }

  /** The last lines the command printed. */
  output(lines = 10): OutputTail {
    return { stderr: tailLines(this.sandbox.stderrFile, lines), stdout: tailLines(this.sandbox.stdoutFile, lines) };
  }

  /** The pids of the container as this machine sees them: its cgroup's, else the command's process tree. */
  async pids(): Promise<number[]> {
    if (!this.running || this.pid === undefined) return [];
    if (this.sandbox.cgroup) {
      const inCgroup = cgroupPids(this.sandbox.cgroup);
      if (inCgroup.length > 0) return inCgroup;
    }
    return processTree(this.pid);
  }

  /** Sends a signal to the command only, as the container runtime does with the stop signal. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    if (this.watchdog?.connected) {
      this.watchdog.send({ type: 'signal', signal } satisfies WatchdogRequest, () => {});
      return;
    }
    try {
      if (this.pid !== undefined) process.kill(this.pid, signal);
    } catch {
      // exited in between
    }
  }

  /** SIGKILLs everything of the container, as tearing it down does. */
  kill(): void {
    if (this.exit) return;
    killSandbox(this.sandbox, this.containment.needsSweep);
    if (this.watchdog && this.watchdog.exitCode === null && this.watchdog.signalCode === null) {
      this.watchdog.kill('SIGKILL');
    }
  }

  /** Resolves when the command has exited (immediately when it already has). */
  exited(): Promise<ProcessExit> {
    if (this.exit) return Promise.resolve(this.exit);
    return new Promise((resolve) => this.once('exit', resolve));
  }
}
