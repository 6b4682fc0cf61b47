/**
 * Runs one replica's command and never lets anything of it outlive the rehearsal:
 * `[unshare --pid --fork --kill-child] node watchdog.js <command> [args...]`, started with an IPC channel and the
 * container's output files as stdout/stderr (the command writes straight into them).
 *
 * The command runs in its own process group (and, when ZERODROP_WATCHDOG_CGROUP names one, joins that cgroup before
 * it starts). Started through unshare, the watchdog is the init of a new PID namespace, like an init process in a
 * container (tini, `docker run --init`): it passes the stop signal on to the command, and whatever the command
 * leaves behind dies with the namespace. When the IPC channel closes (the rehearsal exited or was SIGKILLed) or the
 * command exits (like a container whose main process ends), everything of the container is SIGKILLed.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { killCgroup } from './cgroup.js';
import { REPLICA_MARKER, removeLeftovers, sweepMarked } from './containment.js';
import { WATCHDOG_ENV, type WatchdogMessage, type WatchdogRequest } from './process.js';

const [file, ...args] = process.argv.slice(2);
const cgroup = process.env[WATCHDOG_ENV.cgroup] || undefined;
const sweep = process.env[WATCHDOG_ENV.sweep] === '1';
const leftovers = (process.env[WATCHDOG_ENV.cleanup] ?? '').split('\n').filter(Boolean);
const marker = process.env[REPLICA_MARKER];
const childEnv = { ...process.env };
for (const name of Object.values(WATCHDOG_ENV)) delete childEnv[name];
/** The init of a PID namespace has no parent in its own namespace. */
const namespaceInit = process.pid === 1;
let child: ReturnType<typeof spawn> | undefined;

function killContainer(): void {
  if (cgroup) killCgroup(cgroup);
  if (child?.pid !== undefined) {
    for (const target of [-child.pid, child.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  if (sweep && marker) sweepMarked([`${marker}`]);
}

function send(message: WatchdogMessage, then?: () => void): void {
  if (!process.connected || !process.send) {
    then?.();
    return;
  }
  process.send(message, undefined, {}, () => then?.());
}

function parentGone(): void {
  killContainer();
  // Nobody else is left to remove the container's cgroup and output files.
  removeLeftovers(leftovers);
  process.exit(0);
}
process.on('disconnect', parentGone);
// A parent that dies while this process boots may close the channel before 'disconnect' can be observed: the
// parent's pid, passed in the environment, settles it (once orphaned, getppid() names someone else). As a
// namespace's init this process has no parent to watch, and the channel alone tells.
const parent = Number(process.env[WATCHDOG_ENV.parent]);
const orphanCheck = setInterval(() => {
  if (!process.connected || (!namespaceInit && parent && process.ppid !== parent)) parentGone();
}, 100);
orphanCheck.unref();
// Ctrl-C reaches the whole foreground group: the rehearsal decides what happens to the replica, not the terminal.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killContainer();
    process.exit(0);
  });
}
process.on('error', () => {});
process.on('message', (request: WatchdogRequest) => {
  if (request.type === 'signal' && child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, request.signal);
    } catch {
      // exited in between
    }
  }
});

/** The host's pid of a child, which the rehearsal needs to look at its sockets; same as `pid` outside a namespace. */
function hostPid(pid: number): number {
  if (!namespaceInit) return pid;
  try {
    // /proc is the host's: /proc/self names this process as the host sees it, and NSpid lists a child's pids in
    // every namespace it belongs to, the innermost last.
    const self = readlinkSync('/proc/self');
    for (const candidate of readFileSync(`/proc/${self}/task/${self}/children`, 'utf8').trim().split(/\s+/)) {
      const status = readFileSync(`/proc/${candidate}/status`, 'utf8');
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
      if (nspid?.at(-1) === String(pid)) return Number(candidate);
    }
  } catch {
    // no /proc children file: the rehearsal falls back to the cgroup's list
  }
  return pid;
}

if (!file) {
  send({ type: 'error', code: 'EINVAL', message: 'no command given' }, () => process.exit(2));
} else {
  // Joining the cgroup from inside the first process, before exec, leaves no moment in which something the
  // command starts could be outside it.
  const [command, commandArgs] = cgroup
    ? ['/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" 2>/dev/null; exec "$@"', cgroup, file, ...args]]
    : [file, args];
  child = spawn(command, commandArgs, { detached: true, stdio: ['ignore', 'inherit', 'inherit'], env: childEnv });
  child.on('spawn', () => {
    send({ type: 'started', pid: hostPid(child?.pid as number) });
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    child = undefined;
    send({ type: 'error', code: error.code ?? 'UNKNOWN', message: error.message }, () => process.exit(127));
  });
  child.on('exit', (code, signal) => {
    killContainer();
    send({ type: 'exit', code, signal }, () => process.exit(0));
  });
}
