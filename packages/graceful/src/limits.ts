import { readFileSync } from 'node:fs';

/** The soft limit of open files of this process, from /proc/self/limits (Linux); undefined elsewhere. */
export function openFileLimit(
  read: () => string = () => readFileSync('/proc/self/limits', 'utf8'),
): number | undefined {
  try {
    const line = read()
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    const value = Number(soft);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The default cap on the app server's connections: the open-file limit minus what the rest of the process needs
 * (10 %, at least 64: the probe server and its clients, the app's files, its database pool). None when the limit is
 * unknown or unlimited.
 */
export function defaultConnectionCap(limit = openFileLimit()): number | undefined {
  if (limit === undefined) return undefined;
  const reserve = Math.max(64, Math.ceil(limit * 0.1));
  return Math.max(1, limit - reserve);
}
