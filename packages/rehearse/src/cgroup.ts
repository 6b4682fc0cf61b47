/**
 * cgroup v2, the little the rehearsal needs: a folder per container under this process's own cgroup, a way in for
 * the container's first process (so everything it starts, `setsid` or double-fork included, is inside), and
 * `cgroup.kill` to end all of it at once. Synchronous on purpose: it also runs from an 'exit' handler.
 */
import { type Dirent, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** This process's cgroup v2 folder, from /proc/self/mountinfo and /proc/self/cgroup; undefined without cgroup v2. */
export function ownCgroupDir(): string | undefined {
  let mountinfo: string;
  let membership: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    membership = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return undefined;
  }
  const own = membership.split('\n').find((l) => l.startsWith('0::'));
  if (own === undefined) return undefined;
  const path = own.slice(3).replace(/ \(deleted\)$/, '');
  for (const line of mountinfo.split('\n')) {
    // `id parent major:minor root mountpoint options - fstype source superoptions`
    const [left, right] = line.split(' - ');
    if (!right?.startsWith('cgroup2 ')) continue;
    const fields = left?.split(' ') ?? [];
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    const relative = root === '/' ? path : path.startsWith(root) ? path.slice(root.length) : undefined;
    if (relative === undefined) continue;
    return join(mountPoint.replace(/\\040/g, ' '), relative);
  }
  return undefined;
}

/**
 * Makes `parent/name` and checks it can be used: the folder is writable and has `cgroup.kill` (Linux 5.14+).
 * Returns its path, or undefined (nothing left behind) when this machine does not allow it.
 */
export function createCgroup(parent: string, name: string): string | undefined {
  const dir = join(parent, name);
  try {
    mkdirSync(dir);
  } catch {
    return undefined;
  }
  if (!existsSync(join(dir, 'cgroup.kill')) || !existsSync(join(dir, 'cgroup.procs'))) {
    removeEmptyDir(dir);
    return undefined;
  }
  return dir;
}

/** The pids in a cgroup (this cgroup only, as the host sees them); empty when it is gone. */
export function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Whether any process is left in the cgroup or below it. */
export function cgroupPopulated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

/** SIGKILLs every process in the cgroup and below it, forks in flight included. */
export function killCgroup(dir: string): void {
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    // gone already
  }
}

/**
 * Removes an empty folder — an emptied cgroup, or a plain folder others are emptying — waiting up to `waitMs`
 * (synchronously) while it is busy or not empty yet: a killed process leaves its cgroup within milliseconds.
 * Returns whether the folder is gone.
 */
export function removeEmptyDir(dir: string, waitMs = 1000): boolean {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if ((code !== 'EBUSY' && code !== 'ENOTEMPTY') || Date.now() > until) return false;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

/**
 * Removes a cgroup and every cgroup below it, deepest first (a cgroup with children cannot be removed). For a cgroup
 * whose processes made cgroups of their own: a rehearsal's, or a node agent's inside a cluster's.
 */
export function removeCgroupTree(dir: string, waitMs = 1000): boolean {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  for (const entry of entries) if (entry.isDirectory()) removeCgroupTree(join(dir, entry.name), waitMs);
  return removeEmptyDir(dir, waitMs);
}
