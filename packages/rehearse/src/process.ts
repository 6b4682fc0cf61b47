import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { WatchdogMessage } from './watchdog.js';

const WATCHDOG = fileURLToPath(new URL('./watchdog.js', import.meta.url));
const OUTPUT_LINES = 40;

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

/**
 * One run of the replica's command (a container): started through the watchdog in its own process group.
 * Emits 'exit' (ProcessExit) once. Keeps the last lines of output for error messages.
 */
export class ReplicaProcess extends EventEmitter {
  pid: number | undefined;
  exit: ProcessExit | undefined;
  private reported: ProcessExit | undefined;
  private readonly watchdog: ChildProcess;
  private readonly lines: string[] = [];
  readonly started: Promise<number>;

  /**
   * `options.baseEnv` is the environment `env` adds to (default: this process's, as a rehearsal wants; a node agent
   * gives a container only what its spec says); `options.cwd` the working directory.
   */
  constructor(
    command: string[],
    env: Record<string, string>,
    onOutput?: (line: string) => void,
    options: { baseEnv?: NodeJS.ProcessEnv; cwd?: string } = {},
  ) {
    super();
    this.watchdog = spawn(process.execPath, [WATCHDOG, ...command], {
      env: { ...(options.baseEnv ?? process.env), ...env, ZERODROP_WATCHDOG_PARENT: String(process.pid) },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [this.watchdog.stdout, this.watchdog.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.keep(line, onOutput);
      });
      stream?.on('end', () => {
        if (partial) this.keep(partial, onOutput);
      });
    }
    this.started = new Promise((resolve, reject) => {
      this.watchdog.on('message', (message: WatchdogMessage) => {
        if (message.type === 'started') {
          this.pid = message.pid;
          resolve(message.pid);
        } else if (message.type === 'error') {
          reject(new SpawnError(message.code, message.message));
        } else if (message.type === 'exit') {
          // Reported once the watchdog itself is gone too, so that nothing of the replica is left at 'exit'.
          this.reported = { code: message.code, signal: message.signal };
        }
      });
      const gone = (code: number | null, signal: NodeJS.Signals | null) => {
        reject(
          new SpawnError('EWATCHDOG', `the process supervisor exited (${signal ?? code}) before the command started`),
        );
        this.finish(this.reported ?? { code: null, signal: signal ?? 'SIGKILL' });
      };
      // 'close' comes after every IPC message has been delivered; 'exit' may come first, and 'close' never comes
      // when something the app left in another process group still holds its output.
      this.watchdog.on('close', gone);
      this.watchdog.on('exit', (code, signal) => setTimeout(() => gone(code, signal), 50));
      this.watchdog.on('error', (error) => reject(new SpawnError('EWATCHDOG', error.message)));
    });
    this.started.catch(() => {});
  }

  private keep(line: string, onOutput?: (line: string) => void): void {
    this.lines.push(line);
    if (this.lines.length > OUTPUT_LINES) this.lines.shift();
    onOutput?.(line);
  }

  private finish(exit: ProcessExit): void {
    if (this.exit) return;
    this.exit = exit;
    this.emit('exit', exit);
  }

  get running(): boolean {
    return this.pid !== undefined && this.exit === undefined && this.reported === undefined;
  }

  /** The last lines the command printed. */
  get output(): string[] {
    return [...this.lines];
  }

  /** Sends a signal to the top process only, as the container runtime does with the stop signal. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running || this.pid === undefined) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // exited in between
    }
  }

  /** SIGKILLs the whole process group, as tearing down the container does. */
  kill(): void {
    if (this.running && this.pid !== undefined) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // exited in between
      }
    }
    if (this.watchdog.exitCode === null && this.watchdog.signalCode === null) this.watchdog.kill('SIGTERM');
  }

  /** Resolves when the command has exited (immediately when it already has). */
  exited(): Promise<ProcessExit> {
    if (this.exit) return Promise.resolve(this.exit);
    return new Promise((resolve) => this.once('exit', resolve));
  }
}
