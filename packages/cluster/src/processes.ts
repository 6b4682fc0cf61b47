/**
 * The cluster's long-running processes (etcd, the control plane, the node agent): started detached so they outlive
 * `zerodrop cluster start`, each in its own process group, all inside one cgroup v2 of the cluster when the
 * machine allows it. Stopping kills the cgroup (everything that was ever started in it, pods included, even after a
 * `kill -9` of the agent), then every recorded process group that is still ours.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeCgroupTree } from '@zerodrop/rehearse';
import type { ProcessRecord } from './layout.js';

/** The mount point of the cgroup v2 hierarchy, when there is one. */
function cgroup2Root(): string | undefined {
  try {
    for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
      const [, mountPoint, type] = line.split(' ');
      if (type === 'cgroup2' && mountPoint) return mountPoint;
    }
  } catch {
    // not Linux
  }
  return undefined;
}

/** Where the cluster's cgroup is (`<cgroup2>/zerodrop-<prefix>`); undefined without a cgroup v2 hierarchy. */
export function cgroupPath(prefix: string): string | undefined {
  const root = cgroup2Root();
  return root ? join(root, `zerodrop-${prefix}`) : undefined;
}

/** Creates the cluster's cgroup; undefined when this machine gives none. */
export function createCgroup(prefix: string): string | undefined {
  const path = cgroupPath(prefix);
  if (!path) return undefined;
  try {
    mkdirSync(path, { recursive: true });
    if (!existsSync(join(path, 'cgroup.procs'))) return undefined;
    return path;
  } catch {
    return undefined;
  }
}

export function cgroupPids(path: string): number[] {
  try {
    return readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills every process in the cgroup and removes it; resolves once it is empty (or after 5 s). */
export async function killCgroup(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const pids = cgroupPids(path);
    if (pids.length === 0) break;
    try {
      writeFileSync(join(path, 'cgroup.kill'), '1');
    } catch {
      // kernels before 5.14 have no cgroup.kill
      for (const pid of pids) tryKill(pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // Exiting tasks keep the cgroup busy for a moment after cgroup.procs is empty; the node agent's containers have
  // cgroups of their own below it, removed first.
  removeCgroupTree(path, 2000);
}

export function tryKill(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

const PF_EXITING = 0x4;
const PF_KTHREAD = 0x00200000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * The process is alive and its command line still names this cluster's folder (pids get reused): an argument that
 * is the folder or names a path inside it, so that /tmp/a never matches a cluster in /tmp/ab.
 *
 * A process in the middle of `execve` (every daemon starts as a shell that moves itself into the cgroup and execs
 * the program) shows an empty command line until the new program's arguments are mapped: that is read again for up
 * to a second rather than taken for an exit. Kernel threads, whose command line is always empty, are not ours.
 */
export function isOurs(pid: number, dir: string): boolean {
  for (let attempt = 0; ; attempt++) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return false;
    }
    // State (a zombie, Z, is dead already) and flags: exiting, or a kernel thread.
    const fields = statFields(pid);
    if (fields === undefined || fields[0] === 'Z' || (Number(fields[6]) & (PF_EXITING | PF_KTHREAD)) !== 0)
      return false;
    if (cmdline !== '') return cmdline.split('\0').some((a) => a === dir || a.includes(`${dir}/`));
    if (attempt >= 50) return false;
    Atomics.wait(pause, 0, 0, 20);
  }
}

/**
 * The fields of /proc/PID/stat after the command name (state is [0], flags [6], starttime [19]); undefined when the
 * process does not exist.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), undefined once it ended. */
export function processStartTicks(pid: number): number | undefined {
  const fields = statFields(pid);
  // A zombie has ended already.
  return fields === undefined || fields[0] === 'Z' ? undefined : Number(fields[19]);
}

export interface DaemonOptions {
  name: string;
  file: string;
  args: string[];
  logFile: string;
  cgroup?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Starts a daemon detached, its output appended to its log file. With a cgroup, a shell moves itself into it and
 * execs the program, so no process of the daemon ever runs outside the cgroup.
 */
export function startDaemon(options: DaemonOptions): ProcessRecord {
  const out = openSync(options.logFile, 'a');
  const [file, args] = options.cgroup
    ? ['/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', options.cgroup, options.file, ...options.args]]
    : [options.file, options.args];
  const child = spawn(file, args as string[], {
    detached: true,
    stdio: ['ignore', out, out],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  child.unref();
  if (child.pid === undefined) throw new Error(`cannot start ${options.file}`);
  return { name: options.name, pid: child.pid };
}

/** Kills the recorded processes that are still this cluster's, and their process groups. */
export async function killRecorded(records: readonly ProcessRecord[], dir: string): Promise<void> {
  const alive = records.filter((r) => isOurs(r.pid, dir));
  for (const r of alive) {
    tryKill(-r.pid, 'SIGKILL');
    tryKill(r.pid, 'SIGKILL');
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && alive.some((r) => isOurs(r.pid, dir))) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Processes of this cluster that a crash may have left unrecorded: a control-plane binary or the node agent whose
 * command line names the folder. Only those programs, so that a shell or an editor opened on the folder is spared.
 */
export function strayProcesses(dir: string, programs: readonly string[]): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!pid || pid === process.pid || !isOurs(pid, dir)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.slice(0, 2).some((a) => programs.some((p) => a === p || a.endsWith(`/${p}`)))) out.push(pid);
    } catch {
      // exited
    }
  }
  return out;
}
