import type { FailedRequest } from './attribution.js';
import type { ConnectionRecord } from './consumers/l4.js';
import type { RequestRecord } from './load.js';
import {
  FAILURE_KINDS,
  type FailureKind,
  type Phase,
  type RehearsalResult,
  type RequestFailure,
  type TimelineBucket,
} from './result.js';

/** What the rehearsal knows about a request beyond what the client saw. */
export interface RequestContext {
  /** The L4 proxy's record of the request's connection. */
  connection?: ConnectionRecord;
  /** When the kubelet SIGKILLed the pod that served it (epoch ms). */
  podKilledAt?: number;
}

/**
 * The final verdict on one request. A request in flight when its pod was SIGKILLed is `killed`; a connection the
 * L4 proxy could not route or the pod refused is `refused` (the client only saw a reset); otherwise the client's view.
 */
export function classify(record: RequestRecord, context: RequestContext): 'ok' | FailureKind {
  if (record.outcome === 'ok') return 'ok';
  const killed = context.podKilledAt;
  if (killed !== undefined && record.start <= killed && killed <= record.end) return 'killed';
  const cut = context.connection?.cut;
  if (record.outcome === 'reset' && (cut === 'no-endpoint' || cut === 'refused')) return 'refused';
  return record.outcome;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

const FAILURES_KEPT = 200;
/** Failures kept for the attribution (a few dozen bytes each). */
const FAILURES_ATTRIBUTED = 1_000_000;

interface Stored {
  start: number;
  failed: boolean;
}

/** Every request of the rehearsal: classified, attributed to a pod and a phase, and summed up for the result. */
export class Recorder {
  private readonly stored: Stored[] = [];
  private readonly latencies: number[] = [];
  private readonly phases: { name: Phase; start: number }[] = [];
  readonly byKind = Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<FailureKind, number>;
  readonly byPod = new Map<string, { ok: number; failed: number }>();
  readonly failures: RequestFailure[] = [];
  /** Every failure (up to a million), on the rehearsal's clock, for the attribution to the timeline. */
  readonly timedFailures: FailedRequest[] = [];
  total = 0;
  failed = 0;

  constructor(
    /** Epoch ms the rehearsal started at. */
    private readonly origin: number,
    private readonly context: (record: RequestRecord) => RequestContext,
    /** Tell the attribution whether a failed connection was new or kept alive (the client talks to the pods at L4). */
    private readonly connectionsReachPods = false,
  ) {}

  /** Requests sent from `at` (epoch ms) on belong to `name`. */
  enterPhase(name: Phase, at: number): void {
    this.phases.push({ name, start: at });
  }

  phaseAt(at: number): Phase {
    let phase: Phase = this.phases[0]?.name ?? 'warmup';
    for (const p of this.phases) if (p.start <= at) phase = p.name;
    return phase;
  }

  add(record: RequestRecord): void {
    const context = this.context(record);
    const pod = record.pod ?? context.connection?.pod;
    const outcome = classify(record, context);
    const failed = outcome !== 'ok';
    this.total++;
    this.stored.push({ start: record.start, failed });
    if (pod) {
      const counts = this.byPod.get(pod) ?? { ok: 0, failed: 0 };
      if (failed) counts.failed++;
      else counts.ok++;
      this.byPod.set(pod, counts);
    }
    if (!failed) {
      this.latencies.push(record.end - record.start);
      return;
    }
    this.failed++;
    this.byKind[outcome]++;
    if (this.timedFailures.length < FAILURES_ATTRIBUTED) {
      this.timedFailures.push({
        startMs: record.start - this.origin,
        endMs: record.end - this.origin,
        kind: outcome,
        ...(pod ? { pod } : {}),
        ...(this.connectionsReachPods && outcome !== 'http5xx' && record.reused !== undefined
          ? { connection: record.reused ? ('reused' as const) : ('new' as const) }
          : {}),
      });
    }
    if (this.failures.length < FAILURES_KEPT) {
      this.failures.push({
        atMs: Math.round(record.start - this.origin),
        ...(pod ? { pod } : {}),
        kind: outcome,
        phase: this.phaseAt(record.start),
        detail: `${record.path}: ${record.detail ?? outcome}${record.attempts > 1 ? ` after ${record.attempts} attempts` : ''}`,
      });
    }
  }

  /** The `requests` and `timeline` parts of the result. */
  summarize(durationMs: number): Pick<RehearsalResult, 'requests' | 'timeline'> {
    const byPhase = {
      warmup: { total: 0, failed: 0 },
      rollout: { total: 0, failed: 0 },
      settle: { total: 0, failed: 0 },
    } satisfies Record<Phase, { total: number; failed: number }>;
    const bucketMs = Math.max(100, Math.ceil(durationMs / 200 / 100) * 100);
    const buckets: TimelineBucket[] = [];
    for (const s of this.stored) {
      const phase = byPhase[this.phaseAt(s.start)];
      phase.total++;
      if (s.failed) phase.failed++;
      const index = Math.max(0, Math.floor((s.start - this.origin) / bucketMs));
      for (let i = buckets.length; i <= index; i++) buckets.push({ atMs: i * bucketMs, ok: 0, failed: 0 });
      const bucket = buckets[index] as TimelineBucket;
      if (s.failed) bucket.failed++;
      else bucket.ok++;
    }
    const sorted = Float64Array.from(this.latencies).sort();
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      requests: {
        total: this.total,
        ok: this.total - this.failed,
        failed: this.failed,
        byKind: { ...this.byKind },
        byPhase,
        latencyMs: {
          p50: round(percentile(sorted, 50)),
          p99: round(percentile(sorted, 99)),
          max: round(sorted.length ? (sorted[sorted.length - 1] as number) : 0),
        },
      },
      timeline: { bucketMs, buckets },
    };
  }
}
