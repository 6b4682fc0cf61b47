/**
 * A temporary cluster's guard: `node owner-watch.js --dir <cluster folder> --started <its startedAt> --owner <pid> --since <start ticks>`.
 * Started detached, outside the cluster's cgroup, by `startCluster({ owner })`; it stops the cluster once the owning
 * process is gone however it ended (a `kill -9`, a second Ctrl-C, a test runner killing a file at its timeout), and
 * ends by itself once the cluster was stopped or restarted by anyone else.
 */
import { stopCluster } from './cluster.js';
import { clusterLayout, readState } from './layout.js';
import { processStartTicks } from './processes.js';

const POLL_MS = 500;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function main(): Promise<void> {
  const dir = option('dir');
  const owner = Number(option('owner'));
  const since = Number(option('since'));
  const startedAt = option('started');
  if (!dir || !startedAt || !Number.isInteger(owner) || !Number.isFinite(since)) {
    console.error(
      'usage: node owner-watch.js --dir <cluster folder> --started <its startedAt> --owner <pid> --since <start ticks>',
    );
    process.exit(2);
  }
  const layout = clusterLayout(dir, false);
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    // Stopped (or started anew) by somebody else: nothing left to guard.
    if (readState(layout)?.startedAt !== startedAt) return;
    if (processStartTicks(owner) === since) continue;
    console.log(`${new Date().toISOString()} process ${owner} that started the cluster is gone: stopping it`);
    await stopCluster(dir);
    return;
  }
}

main().catch((error: Error) => {
  console.error(`owner-watch: ${error.message}`);
  process.exit(1);
});
