/**
 * Why requests failed: each failure placed on the termination timeline and named by its cause, with what to change
 * and the lint rules that catch it before a deploy. A pure function over recorded requests and a pod/endpoint
 * timeline, so every engine (the built-in models, a real control plane, a real cluster) can feed it the same way.
 *
 * The causes, in the order they are tried (the vocabulary of DESIGN.md's "one vocabulary for failures"):
 *  - `sigkill`: in flight when the pod was SIGKILLed: the grace period is too short, or the stop signal never
 *    reached the app, which kept serving until the kill;
 *  - `not-ready`: sent to a pod that had not become Ready: it took traffic before it could serve;
 *  - `prestop`: sent to a terminating pod that had already been told to stop, while the consumer still routed new
 *    requests to it (before the slowest consumer stopped sending): the preStop is missing or shorter than the
 *    propagation;
 *  - `no-drain`: sent to a terminating pod after the consumer had stopped routing new requests to it, so over a
 *    kept-alive connection, and cut when it stopped: the app does not drain (no `Connection: close`, exits with
 *    connections open);
 *  - `capacity`: refused (or 503) with no pod to route to: capacity dipped during the rollout;
 *  - `other`: failures of a pod that was serving normally (5xx answers, timeouts): the app's own, not the rollout's.
 */
import { docsUrl, ruleDocsUrl } from '@zerodrop/core';
import type { FailureKind, PodState } from './result.js';

export type FailureCause = 'sigkill' | 'not-ready' | 'prestop' | 'no-drain' | 'capacity' | 'other';

export const FAILURE_CAUSES: readonly FailureCause[] = [
  'prestop',
  'no-drain',
  'sigkill',
  'capacity',
  'not-ready',
  'other',
];

/** One failed request as any engine records it. Times in milliseconds on one clock shared with the timeline. */
export interface FailedRequest {
  startMs: number;
  endMs: number;
  kind: FailureKind;
  /** The pod that got it, when known; none when nothing could be routed to. */
  pod?: string;
  /**
   * For a failure of the connection itself (not a 5xx answer), when the engine knows how the client reached the pod:
   * on a `new` connection (the consumer chose the pod for it) or a `reused` kept-alive one (pinned to the pod).
   */
  connection?: 'new' | 'reused';
}

/** The pod timeline the attribution needs: each pod's state changes, as the kubelet records them. */
export interface PodTimeline {
  name: string;
  events: readonly { atMs: number; state: PodState }[];
}

/** What the consumer in front of the load routed new requests to, from `atMs` on (it is the slowest to learn). */
export interface RoutingChange {
  atMs: number;
  pods: readonly string[];
}

/** Adds what a consumer routes to now (`routable`) to `routing` at `atMs`, unless it did not change. */
export function recordRouting(routing: RoutingChange[], atMs: number, routable: readonly { pod: string }[]): void {
  const pods = routable.map((e) => e.pod).sort();
  if (routing.at(-1)?.pods.join() === pods.join()) return;
  routing.push({ atMs, pods });
}

export interface AttributionInput {
  failures: readonly FailedRequest[];
  pods: readonly PodTimeline[];
  routing: readonly RoutingChange[];
  /** The consumer's name for the messages, e.g. `kube-proxy`. */
  consumer: string;
}

export interface CauseRule {
  id: string;
  url: string;
}

export interface CauseGroup {
  cause: FailureCause;
  count: number;
  byKind: Partial<Record<FailureKind, number>>;
  pods: string[];
  firstMs: number;
  lastMs: number;
  /** What happened, with the numbers of this run. */
  explanation: string;
  /** What to change. */
  fix: string;
  /** Lint rules that find this in a manifest, with their pages. */
  rules: CauseRule[];
  /** A page on the change when no lint rule can see it (the app's code). */
  docs?: { title: string; url: string };
}

export interface Attribution {
  groups: CauseGroup[];
  /** The cause of each failure, in the order of `failures`. */
  causes: FailureCause[];
}

const rule = (id: string): CauseRule => ({ id, url: ruleDocsUrl(id) });

/** What each cause means and what to change; `{consumer}` is replaced by the consumer's name. */
export const CAUSES: Record<
  FailureCause,
  { title: string; fix: string; rules: CauseRule[]; docs?: { title: string; url: string } }
> = {
  prestop: {
    title: 'the pod stopped serving before {consumer} stopped sending it new requests',
    fix: 'add a preStop hook (sleep) that outlasts the slowest consumer’s propagation delay; `zerodrop plan` prints the smallest safe value',
    rules: [
      rule('prestop-missing'),
      rule('prestop-shorter-than-propagation'),
      rule('lb-deregistration-exceeds-prestop'),
    ],
  },
  'no-drain': {
    title: 'the app exited with kept-alive connections still open instead of draining them',
    fix: 'drain in the app: after SIGTERM keep serving with `Connection: close` until clients moved, then close the listener and exit',
    rules: [],
    docs: { title: '@zerodrop/graceful', url: docsUrl('packages/graceful/README.md') },
  },
  sigkill: {
    title: 'in flight when the pod was SIGKILLed at the end of the grace period',
    fix: 'make terminationGracePeriodSeconds cover preStop + drain + margin, and make sure SIGTERM reaches the app (node as PID 1, not `npm start` or `sh -c`)',
    rules: [rule('grace-period-too-short'), rule('signals-not-forwarded')],
  },
  capacity: {
    title: 'no ready pod to route to: capacity dipped during the rollout',
    fix: 'set maxUnavailable: 0 with maxSurge ≥ 1 (and more than one replica) so a new pod is ready before an old one goes',
    rules: [rule('rollout-max-unavailable'), rule('rollout-recreate'), rule('replicas-single')],
  },
  'not-ready': {
    title: 'sent to a pod that was not Ready yet',
    fix: 'give the container a readinessProbe that passes only when the app serves (and a startupProbe for slow starts)',
    rules: [rule('readiness-probe-missing'), rule('lb-health-check-mismatch'), rule('startup-probe-missing')],
  },
  other: {
    title: 'failed on a pod that was serving normally (5xx answers or timeouts of the app itself)',
    fix: 'look at the app’s own errors: these failures are not caused by the rollout',
    rules: [],
  },
};

/** Slack for timestamps taken in different places (the client, the kubelet), in milliseconds. */
const SLACK_MS = 50;

interface PodMoments {
  readyAt?: number;
  terminatingAt?: number;
  /** The stop signal, or the exit when it came first (a preStop hook that ends the app). */
  stoppedAt?: number;
  killedAt?: number;
}

function momentsOf(pod: PodTimeline): PodMoments {
  const m: PodMoments = {};
  for (const e of pod.events) {
    if (e.state === 'ready' && m.readyAt === undefined) m.readyAt = e.atMs;
    if (e.state === 'terminating' && m.terminatingAt === undefined) m.terminatingAt = e.atMs;
    if (
      (e.state === 'stop-signal' || e.state === 'exited') &&
      m.terminatingAt !== undefined &&
      m.stoppedAt === undefined
    )
      m.stoppedAt = e.atMs;
    if (e.state === 'killed' && m.killedAt === undefined) m.killedAt = e.atMs;
  }
  return m;
}

/** When the consumer stopped routing new requests to `pod`, at or after `since`; undefined when it never did. */
function unroutedAt(routing: readonly RoutingChange[], pod: string, since: number): number | undefined {
  let before: RoutingChange | undefined;
  for (const change of routing) {
    if (change.atMs <= since) {
      before = change;
      continue;
    }
    if (before && !before.pods.includes(pod)) return before.atMs;
    before = undefined;
    if (!change.pods.includes(pod)) return change.atMs;
  }
  return before && !before.pods.includes(pod) ? before.atMs : undefined;
}

/** The cause of one failure. */
export function causeOf(
  failure: FailedRequest,
  moments: ReadonlyMap<string, PodMoments>,
  routing: readonly RoutingChange[],
): FailureCause {
  if (failure.pod === undefined) {
    return failure.kind === 'refused' || failure.kind === 'http5xx' ? 'capacity' : 'other';
  }
  const m = moments.get(failure.pod) ?? {};
  if (
    failure.kind === 'killed' ||
    (m.killedAt !== undefined && failure.startMs <= m.killedAt + SLACK_MS && failure.endMs >= m.killedAt - SLACK_MS)
  ) {
    return 'sigkill';
  }
  if (m.readyAt === undefined || failure.startMs + SLACK_MS < m.readyAt) return 'not-ready';
  if (m.terminatingAt !== undefined && failure.endMs + SLACK_MS >= m.terminatingAt) {
    // A stopped pod that got a new connection was still routed to; one that cut a kept-alive connection did not drain.
    if (failure.connection !== undefined && m.stoppedAt !== undefined && m.stoppedAt <= failure.endMs + SLACK_MS) {
      return failure.connection === 'new' ? 'prestop' : 'no-drain';
    }
    const unrouted = unroutedAt(routing, failure.pod, m.terminatingAt);
    if (unrouted === undefined || failure.startMs < unrouted) {
      // Still routed: with a stop already under way (or coming during the request), the pod gave up too early.
      if (m.stoppedAt !== undefined && m.stoppedAt <= failure.endMs + SLACK_MS) return 'prestop';
    } else if (m.stoppedAt !== undefined) {
      return 'no-drain';
    }
  }
  return 'other';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Places every failure on the timeline and groups them by cause, in the order of FAILURE_CAUSES. */
export function attributeFailures(input: AttributionInput): Attribution {
  const moments = new Map(input.pods.map((p) => [p.name, momentsOf(p)]));
  const routing = [...input.routing].sort((a, b) => a.atMs - b.atMs);
  const causes = input.failures.map((f) => causeOf(f, moments, routing));
  const groups: CauseGroup[] = [];
  for (const cause of FAILURE_CAUSES) {
    const mine = input.failures.filter((_, i) => causes[i] === cause);
    if (mine.length === 0) continue;
    const byKind: Partial<Record<FailureKind, number>> = {};
    for (const f of mine) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    const pods = [...new Set(mine.map((f) => f.pod).filter((p): p is string => p !== undefined))].sort();
    // Reduced, not spread: a run may have hundreds of thousands of failures.
    const firstMs = Math.round(mine.reduce((a, f) => Math.min(a, f.startMs), Number.POSITIVE_INFINITY));
    const lastMs = Math.round(mine.reduce((a, f) => Math.max(a, f.startMs), Number.NEGATIVE_INFINITY));
    const meaning = CAUSES[cause];
    const where = pods.length > 0 ? ` on ${pods.join(', ')}` : '';
    const span = firstMs === lastMs ? `at ${seconds(firstMs)}` : `from ${seconds(firstMs)} to ${seconds(lastMs)}`;
    groups.push({
      cause,
      count: mine.length,
      byKind,
      pods,
      firstMs,
      lastMs,
      explanation: `${mine.length} request${mine.length === 1 ? '' : 's'}${where} ${span}: ${meaning.title.replace('{consumer}', input.consumer)}`,
      fix: meaning.fix,
      rules: meaning.rules,
      ...(meaning.docs ? { docs: meaning.docs } : {}),
    });
  }
  return { groups, causes };
}
