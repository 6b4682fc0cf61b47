import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const PACKAGE_MANAGERS = /^(npm|npx|yarn|pnpm|npm-cli\.js|npx-cli\.js|yarn\.js|yarn\.cjs|pnpm\.cjs|pnpm\.js|corepack)$/;
const SHELLS = /^-?(sh|bash|dash|ash|zsh|ksh|busybox)$/;

/** This process is a package manager (npm, npx, yarn, pnpm, corepack): the preload stays out of it. */
export function isPackageManager(argv = process.argv): boolean {
  const script = argv[1];
  return script !== undefined && PACKAGE_MANAGERS.test(basename(script));
}

/**
 * Why the stop signal may not reach this process, or undefined when it probably does. Linux only (reads
 * /proc/<ppid>/cmdline); elsewhere, or when this process is PID 1, it says nothing.
 * npm, yarn and pnpm do not forward SIGTERM to their child; a shell running a script or `-c` with more than one
 * command waits for its child without forwarding. An interactive shell (a terminal) is fine: Ctrl-C reaches the
 * whole foreground process group.
 */
export function signalForwardingProblem(
  pid = process.pid,
  ppid = process.ppid,
  platform = process.platform,
): string | undefined {
  if (platform !== 'linux' || pid === 1) return undefined;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
  const names = argv.slice(0, 2).map((a) => basename(a));
  const manager = names.find((n) => PACKAGE_MANAGERS.test(n));
  // npm rewrites its process title to "npm start" etc.: the first word is enough.
  const title = argv[0]?.split(' ')[0];
  if (manager || (title && PACKAGE_MANAGERS.test(basename(title)))) {
    return `the parent process (pid ${ppid}: ${argv.join(' ').slice(0, 120)}) is a package manager, which does not forward SIGTERM; run "node <file>" directly as the container command (or use an init like tini)`;
  }
  if (
    names[0] &&
    SHELLS.test(names[0]) &&
    argv.length > 1 &&
    argv.slice(1).some((a) => a === '-c' || !a.startsWith('-'))
  ) {
    return `the parent process (pid ${ppid}: ${argv.join(' ').slice(0, 120)}) is a shell, which does not forward SIGTERM; use "exec node <file>" in the script, the exec form of CMD, or an init like tini`;
  }
  return undefined;
}
