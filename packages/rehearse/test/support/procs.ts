import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live processes whose command line contains `marker` (Linux /proc). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmdline.includes(marker) && !/\) Z /.test(stat)) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Waits until no process carries `marker`; resolves to the survivors (empty when all are gone). */
export async function waitGone(marker: string, ms = 5000): Promise<number[]> {
  const until = Date.now() + ms;
  let left = processesWith(marker);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = processesWith(marker);
  }
  return left;
}

export async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
