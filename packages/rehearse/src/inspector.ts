import { type Diagnosis, diagnoseNotListening, diagnoseWrongPort } from './diagnosis.js';
import type { Pod } from './kubelet.js';
import { cpuTimeMs, listeningPorts } from './procfs.js';

/** Listening elsewhere than $PORT for this long while idle: a fixed port, not a slow start. */
const WRONG_PORT_IDLE_MS = 5000;
/** Listening on nothing for this long while idle: it will not start listening (nothing changes in a rehearsal). */
const NOT_LISTENING_IDLE_MS = 10_000;
/** However busy it is, a replica that has not listened on $PORT for this long (or its startup allowance) is broken. */
const NOT_LISTENING_BUSY_MS = 60_000;
/** CPU is measured over this window; a replica that used at least BUSY_SHARE of a core in it is still working. */
const CPU_WINDOW_MS = 5000;
const BUSY_SHARE = 0.1;

interface ContainerWatch {
  startedMs: number;
  elsewhereSince?: number;
  cpu: { atMs: number; cpuMs: number }[];
}

/**
 * Looks at the replicas that run but are not Ready yet, through /proc: do they listen on $PORT, on another port, on
 * nothing, and are they busy? A slow start gets time; a broken one a diagnosis within seconds.
 */
export class ReplicaInspector {
  private readonly watches = new Map<string, ContainerWatch>();

  constructor(private readonly clock: () => number) {}

  /**
   * One look. `allowanceMs`: how long a busy replica may take to start (its startup probe's allowance); an idle one
   * gets no more than NOT_LISTENING_IDLE_MS whatever the allowance. Returns a diagnosis when a replica is broken, and
   * what the others are waiting for.
   */
  async inspect(pods: readonly Pod[], allowanceMs: number): Promise<{ diagnosis?: Diagnosis; waiting: string[] }> {
    const waiting: string[] = [];
    for (const pod of pods) {
      if (!pod.running || pod.ready || pod.terminating || pod.gone || pod.containerStartedMs === undefined) {
        this.watches.delete(pod.name);
        continue;
      }
      let watch = this.watches.get(pod.name);
      if (!watch || watch.startedMs !== pod.containerStartedMs) {
        watch = { startedMs: pod.containerStartedMs, cpu: [] };
        this.watches.set(pod.name, watch);
      }
      const pids = await pod.pids();
      if (pids.length === 0) continue;
      const [ports, cpuMs] = await Promise.all([listeningPorts(pids), cpuTimeMs(pids)]);
      const now = this.clock();
      watch.cpu.push({ atMs: now, cpuMs });
      while (watch.cpu.length > 2 && (watch.cpu[1] as { atMs: number }).atMs <= now - CPU_WINDOW_MS) watch.cpu.shift();
      const first = watch.cpu[0] as { atMs: number; cpuMs: number };
      const span = now - first.atMs;
      // Busy until there is a window to judge by.
      const busy = span < CPU_WINDOW_MS / 2 || (cpuMs - first.cpuMs) / span >= BUSY_SHARE;
      const age = now - watch.startedMs;
      const busyLimit = Math.max(NOT_LISTENING_BUSY_MS, allowanceMs);
      const seconds = Math.round((now - watch.startedMs) / 1000);
      if (ports.includes(pod.port)) {
        watch.elsewhereSince = undefined;
        waiting.push(`${pod.name} listens on $PORT but is not Ready yet (${seconds} s)`);
        continue;
      }
      if (ports.length > 0) {
        watch.elsewhereSince ??= now;
        const elsewhere = now - watch.elsewhereSince;
        if ((!busy && elsewhere >= WRONG_PORT_IDLE_MS) || age >= busyLimit) {
          return { diagnosis: diagnoseWrongPort(pod.name, pod.port, ports, pod.output(40)), waiting };
        }
        waiting.push(`${pod.name} listens on ${ports.map((p) => `:${p}`).join(', ')}, not on $PORT (${pod.port})`);
        continue;
      }
      if ((!busy && age >= NOT_LISTENING_IDLE_MS) || age >= busyLimit) {
        return {
          diagnosis: diagnoseNotListening(pod.name, pod.port, (now - watch.startedMs) / 1000, busy, pod.output(40)),
          waiting,
        };
      }
      waiting.push(`${pod.name} not listening on $PORT yet (${seconds} s${busy ? ', busy' : ''})`);
    }
    return { waiting };
  }
}
