/**
 * What a replica's processes are doing, read from Linux's /proc: the TCP ports they listen on, their descendants and
 * the CPU time they used. This is how a broken app is told apart from a slow one (it listens on another port than
 * $PORT, or on none at all while idle). Everything here returns an empty answer where /proc is not available.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

/** Socket inodes → local port, for the sockets in LISTEN state (`st` 0A) of /proc/net/tcp and tcp6. */
export function parseListeningSockets(table: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    if (fields.length < 10 || fields[3] !== '0A') continue;
    const port = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
    const inode = fields[9];
    if (Number.isFinite(port) && inode && inode !== '0') out.set(inode, port);
  }
  return out;
}

async function socketInodes(pid: number): Promise<string[]> {
  const dir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = await readdir(dir);
  } catch {
    return [];
  }
  const inodes: string[] = [];
  await Promise.all(
    fds.map(async (fd) => {
      try {
        const target = await readlink(`${dir}/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match?.[1]) inodes.push(match[1]);
      } catch {
        // closed in between
      }
    }),
  );
  return inodes;
}

/** The TCP ports the given processes listen on, ascending. */
export async function listeningPorts(pids: readonly number[]): Promise<number[]> {
  if (pids.length === 0) return [];
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
  const listening = parseListeningSockets(tables.join('\n'));
  if (listening.size === 0) return [];
  const ports = new Set<number>();
  for (const inodes of await Promise.all(pids.map(socketInodes))) {
    for (const inode of inodes) {
      const port = listening.get(inode);
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  /** user + system CPU time, clock ticks. */
  cpuTicks: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so fields count from the last ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close === -1 || !Number.isFinite(pid)) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // fields[0] is the state (field 3 of proc(5)); ppid is field 4, pgrp 5, utime 14, stime 15.
  const ppid = Number(fields[1]);
  const pgid = Number(fields[2]);
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  if (fields[0] === 'Z') return undefined;
  return { pid, ppid, pgid, cpuTicks };
}

async function allStats(): Promise<ProcStat[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const stats = await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map((e) =>
        readFile(`/proc/${e}/stat`, 'utf8').then(
          (t) => parseStat(t),
          () => undefined,
        ),
      ),
  );
  return stats.filter((s): s is ProcStat => s !== undefined);
}

/** `root` and every live descendant of it, plus the members of process group `root` (the replica's group). */
export async function processTree(root: number): Promise<number[]> {
  const stats = await allStats();
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const found = new Set<number>();
  const walk = (pid: number) => {
    if (found.has(pid)) return;
    found.add(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  if (stats.some((s) => s.pid === root)) walk(root);
  for (const s of stats) if (s.pgid === root) walk(s.pid);
  return [...found];
}

/** CPU time (user + system, milliseconds) the processes have used so far. */
export async function cpuTimeMs(pids: readonly number[]): Promise<number> {
  const ticks = await Promise.all(
    pids.map((pid) =>
      readFile(`/proc/${pid}/stat`, 'utf8').then(
        (t) => parseStat(t)?.cpuTicks ?? 0,
        () => 0,
      ),
    ),
  );
  // USER_HZ is 100 on every Linux architecture Node runs on.
  return ticks.reduce((a, b) => a + b, 0) * 10;
}
