/**
 * Where the replicas of one rehearsal live, and how they are ended. Every container run gets, as far as this
 * machine allows:
 *  - its own cgroup v2 folder, ended with `cgroup.kill` (nothing started inside can leave it: `setsid`, double
 *    forks and daemons included);
 *  - a PID namespace whose init is the replica's watchdog: when the watchdog ends, the kernel ends everything in it;
 *  - its own process group, and a marker in its environment that a sweep of /proc finds (the fallback when neither
 *    of the above is allowed).
 * The app's output goes to files in a temporary folder of the run, read only when needed (a tail for a diagnosis,
 * or followed for --verbose), so an app that prints a lot does not share the event loop of the proxies and load.
 * At dispose, and at the exit of the process whatever the reason, every container still running is killed and the
 * folders are removed.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { createCgroup, killCgroup, ownCgroupDir, removeCgroupTree, removeEmptyDir } from './cgroup.js';

/** The variable that marks every process of one container run (inherited unless the app clears its environment). */
export const REPLICA_MARKER = 'ZERODROP_REPLICA';

/** One container run: where its processes are kept and where its output goes. */
export interface ContainerSandbox {
  /** Unique in the machine; the value of REPLICA_MARKER in its environment. */
  readonly id: string;
  /** Its cgroup v2 folder, when cgroups are used. */
  readonly cgroup?: string;
  readonly stdoutFile: string;
  readonly stderrFile: string;
  /** Host pids known to belong to it (the watchdog or the namespace's parent, the app): killed with it. */
  readonly pids: Set<number>;
}

export interface ContainmentOptions {
  /** Use cgroup v2 when available (default true). */
  cgroups?: boolean;
  /** Use a PID namespace when permitted (default true). */
  pidNamespace?: boolean;
  /** Where the folder of the output files is made (default: the system's temp folder). */
  logRoot?: string;
}

let unshareCache: string[] | null | undefined;

/** The command prefix that starts a program as the init of a new PID namespace, or undefined when not permitted. */
export function pidNamespacePrefix(): string[] | undefined {
  if (unshareCache !== undefined) return unshareCache ?? undefined;
  unshareCache = null;
  if (process.platform !== 'linux') return undefined;
  // `--kill-child`: when unshare itself is killed, its child (the namespace's init) gets SIGKILL, and with it the
  // whole namespace. Without root, a user namespace mapping the same user makes the PID namespace possible.
  const candidates = [
    ['unshare', '--pid', '--fork', '--kill-child'],
    ['unshare', '--user', '--map-current-user', '--pid', '--fork', '--kill-child'],
  ];
  for (const prefix of candidates) {
    const probe = spawnSync(prefix[0] as string, [...prefix.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 });
    if (probe.status === 0) {
      unshareCache = prefix;
      break;
    }
  }
  return unshareCache ?? undefined;
}

/** The path of an executable as `spawn` would find it (PATH search for a bare name), or undefined. */
export function resolveExecutable(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string | undefined {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  if (file.includes('/')) {
    const path = isAbsolute(file) ? file : resolve(cwd, file);
    return executable(path) ? path : undefined;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, file);
    if (executable(path)) return path;
  }
  return undefined;
}

/**
 * Removes files and empty folders (cgroups included), waiting up to `waitMs` for a folder that is not empty yet:
 * sibling watchdogs are removing their own entries at the same time.
 */
export function removeLeftovers(paths: readonly string[], waitMs = 1000): void {
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) removeEmptyDir(path, waitMs);
      else rmSync(path, { force: true });
    } catch {
      // gone already
    }
  }
}

/** SIGKILLs, synchronously, every process whose environment carries one of the markers (Linux /proc). */
export function sweepMarked(ids: readonly string[]): number {
  let killed = 0;
  let entries: string[];
  try {
    entries = ids.length > 0 ? readdirSync('/proc') : [];
  } catch {
    return 0;
  }
  const needles = ids.map((id) => `${REPLICA_MARKER}=${id}\0`);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (needles.some((needle) => environ.includes(needle))) {
        process.kill(Number(entry), 'SIGKILL');
        killed++;
      }
    } catch {
      // not ours to read, or gone
    }
  }
  return killed;
}

/** The direct children of a process (Linux), e.g. the namespace init that unshare has just forked. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Ends every process of a container run, by every means it has: cgroup, known pids and their groups, marker. */
export function killSandbox(sandbox: ContainerSandbox, sweep: boolean): void {
  if (sandbox.cgroup) killCgroup(sandbox.cgroup);
  // A child forked a moment ago (unshare's namespace init) may not know yet that it must die with its parent.
  for (const pid of [...sandbox.pids]) for (const child of childrenOf(pid)) sandbox.pids.add(child);
  for (const pid of sandbox.pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone, or not a group leader
      }
    }
  }
  if (sweep) sweepMarked([sandbox.id]);
}

const live = new Set<Containment>();
let exitHookInstalled = false;

function onProcessExit(): void {
  for (const containment of [...live]) containment.dispose();
}

/** The containers of one rehearsal. */
export class Containment {
  readonly runId: string;
  /** This run's cgroup v2 folder (one sub-folder per container run), when cgroups are used. */
  readonly cgroup: string | undefined;
  /** The prefix that starts the watchdog as a PID namespace's init, when used. */
  readonly pidNamespace: string[] | undefined;
  /** The folder of the output files. */
  readonly logDir: string;
  private readonly sandboxes = new Map<string, ContainerSandbox>();
  private disposed = false;

  constructor(options: ContainmentOptions = {}) {
    this.runId = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const parent = options.cgroups === false ? undefined : ownCgroupDir();
    this.cgroup = parent ? createCgroup(parent, `zerodrop-rehearse-${this.runId}`) : undefined;
    this.pidNamespace = options.pidNamespace === false ? undefined : pidNamespacePrefix();
    if (options.logRoot) mkdirSync(options.logRoot, { recursive: true });
    this.logDir = mkdtempSync(join(options.logRoot ?? tmpdir(), 'zerodrop-replicas-'));
    live.add(this);
    if (!exitHookInstalled) {
      process.on('exit', onProcessExit);
      exitHookInstalled = true;
    }
  }

  /** Neither cgroups nor a PID namespace: the /proc sweep by marker is the last line. */
  get needsSweep(): boolean {
    return this.cgroup === undefined && this.pidNamespace === undefined;
  }

  /** How replicas are contained here, for the summary and the README. */
  describe(): string {
    const parts = [
      this.cgroup ? 'a cgroup v2 per replica (cgroup.kill)' : undefined,
      this.pidNamespace ? 'a PID namespace per replica' : undefined,
      'a process group per replica',
    ].filter(Boolean);
    return parts.join(' + ');
  }

  /** A new container run named `name` (the pod and its restart count). */
  container(name: string): ContainerSandbox {
    const id = `${this.runId}-${name}`;
    const cgroup = this.cgroup ? createCgroup(this.cgroup, name) : undefined;
    const sandbox: ContainerSandbox = {
      id,
      ...(cgroup ? { cgroup } : {}),
      stdoutFile: join(this.logDir, `${name}.stdout.log`),
      stderrFile: join(this.logDir, `${name}.stderr.log`),
      pids: new Set(),
    };
    this.sandboxes.set(id, sandbox);
    return sandbox;
  }

  /**
   * What a watchdog removes when the rehearsal died without cleaning up (SIGKILL): the container's files and cgroup,
   * then the run's folders (only the last watchdog to go finds them empty).
   */
  leftovers(sandbox: ContainerSandbox): string[] {
    return [sandbox.stdoutFile, sandbox.stderrFile, sandbox.cgroup, this.cgroup, this.logDir].filter(
      (p): p is string => p !== undefined,
    );
  }

  /** Kills whatever is left of a container run and removes its cgroup; its output files stay until dispose. */
  release(sandbox: ContainerSandbox): void {
    killSandbox(sandbox, this.needsSweep);
    // One try: a cgroup whose last task is still exiting is removed at dispose, without blocking the rehearsal here.
    if (sandbox.cgroup) removeEmptyDir(sandbox.cgroup, 0);
    sandbox.pids.clear();
  }

  /** Kills every container still running, removes the cgroups and the output files. Idempotent; synchronous. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    live.delete(this);
    for (const sandbox of this.sandboxes.values()) killSandbox(sandbox, false);
    if (this.needsSweep) sweepMarked([...this.sandboxes.keys()]);
    if (this.cgroup) removeCgroupTree(this.cgroup);
    rmSync(this.logDir, { recursive: true, force: true });
  }
}
