/**
 * Runs one replica's command in its own process group and never lets it outlive the rehearsal:
 * `node watchdog.js <command> [args...]`, started with an IPC channel. When the channel closes (the rehearsal
 * exited or was SIGKILLed) or the top process exits (like a container whose PID 1 ends), the whole group is
 * SIGKILLed (the channel closing is noticed through 'disconnect' and, should that be missed, through the parent pid
 * changing). The rehearsal signals the top process itself (the stop signal) and the group (SIGKILL).
 */
import { spawn } from 'node:child_process';

export type WatchdogMessage =
  | { type: 'started'; pid: number }
  | { type: 'error'; code: string; message: string }
  | { type: 'exit'; code: number | null; signal: string | null };

const [file, ...args] = process.argv.slice(2);
let group: number | undefined;

function killGroup(): void {
  if (group === undefined) return;
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // the group is already empty
  }
}

function send(message: WatchdogMessage, then?: () => void): void {
  if (!process.connected || !process.send) {
    then?.();
    return;
  }
  process.send(message, undefined, {}, () => then?.());
}

function parentGone(): void {
  killGroup();
  process.exit(0);
}
process.on('disconnect', parentGone);
// A parent that dies while this process boots may close the channel before 'disconnect' can be observed: the
// parent's pid, passed in the environment, settles it (once orphaned, getppid() names someone else).
const parent = Number(process.env.ZERODROP_WATCHDOG_PARENT);
const orphanCheck = setInterval(() => {
  if ((parent && process.ppid !== parent) || !process.connected) parentGone();
}, 100);
orphanCheck.unref();
// Ctrl-C reaches the whole foreground group: the rehearsal decides what happens to the replica, not the terminal.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killGroup();
    process.exit(0);
  });
}
process.on('error', () => {});

if (!file) {
  send({ type: 'error', code: 'EINVAL', message: 'no command given' }, () => process.exit(2));
} else {
  const child = spawn(file, args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
  group = child.pid;
  child.on('spawn', () => {
    send({ type: 'started', pid: child.pid as number });
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    group = undefined;
    send({ type: 'error', code: error.code ?? 'UNKNOWN', message: error.message }, () => process.exit(127));
  });
  child.on('exit', (code, signal) => {
    killGroup();
    send({ type: 'exit', code, signal }, () => process.exit(0));
  });
}
