/**
 * Runs one replica's command in its own process group and never lets it outlive the rehearsal:
 * `node watchdog.js <command> [args...]`, started with an IPC channel. When the channel closes (the rehearsal
 * exited or was SIGKILLed) or the top process exits (like a container whose PID 1 ends), the whole group is
 * SIGKILLed. The rehearsal signals the top process itself (the stop signal) and the group (SIGKILL).
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

process.on('disconnect', () => {
  killGroup();
  process.exit(0);
});
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
