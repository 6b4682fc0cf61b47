/**
 * Ties each failed request of a real rollout to the real timeline. A client in front of a cluster does not see
 * which pod a request reached, so the pod is inferred from the timeline: the pod that had stopped (its stop signal
 * or its exit) when the request failed, or a new pod without a readiness probe that had just turned Ready. Then
 * rehearse's attribution names the cause, with the same vocabulary, fixes and lint rules as a rehearsal.
 *
 * What the API does not record is estimated from the pod spec and said to be: the stop signal leaves at the deletion
 * plus the preStop hook's sleep (capped at the grace period), as the kubelet's killContainer sends it.
 */
import type { ObservedPod } from '@zerodrop/cluster';
import { classifyPreStop, getProfile } from '@zerodrop/core';
import {
  type Attribution,
  attributeFailures,
  CAUSES,
  type FailedRequest,
  type FailureCause,
  type PodEvent,
  type PodRecord,
  type PodTimeline,
  type RoutingChange,
} from '@zerodrop/rehearse';

/** Slack for moments seen by different clocks and watch latencies, in ms. */
const SLACK_MS = 50;
/**
 * How long after the EndpointSlice said so a consumer may still route to a pod: kube-proxy's worst propagation.
 * Real load balancers can take longer; a failure on a new connection names its cause without this allowance.
 */
export const PROPAGATION_ALLOWANCE_MS = (getProfile('kube-proxy').consumers[0]?.propagation.worstSeconds ?? 2) * 1000;
/** How long after a probe-less pod turned Ready a refused connection is blamed on it (the app was not listening). */
const NOT_READY_WINDOW_MS = 5000;
/** Who routes the load, in the messages: verify does not know what stands behind the URL. */
export const CONSUMER = 'the load balancer';

/** One pod of the run, on the run's clock (ms since it started), with the moments the attribution uses. */
export interface PodFacts {
  name: string;
  revision: 'old' | 'new';
  /** Observed changes plus the estimated stop signal, for the report. */
  events: PodEvent[];
  containerPort: number;
  readinessProbe: boolean;
  readyAt?: number;
  deletedAt?: number;
  /** The stop signal (estimated) or the exit, whichever came first after the deletion. */
  stoppedAt?: number;
  killedAt?: number;
  goneAt?: number;
  /** When no EndpointSlice listed the pod any more, after its deletion. */
  endpointRemovedAt?: number;
  lastExit?: string;
}

/** Milliseconds the preStop hook holds the stop signal back, or undefined when that cannot be told (httpGet, exec). */
export function preStopDelayMs(pod: ObservedPod['pod'], graceSeconds: number): number | undefined {
  if (graceSeconds <= 0) return 0; // the kubelet skips the hook without a grace period
  const hook = classifyPreStop(pod.spec?.containers?.[0]?.lifecycle?.preStop);
  if (!hook) return 0;
  const seconds =
    hook.kind === 'sleep'
      ? hook.seconds
      : hook.kind === 'exec'
        ? hook.sleepSeconds
        : hook.kind === 'other'
          ? 0
          : undefined;
  return seconds === undefined ? undefined : Math.min(seconds, graceSeconds) * 1000;
}

/** A pod's facts from what the timeline observed; `origin` is the run's start (epoch ms). */
export function podFacts(observed: ObservedPod, origin: number, revision: 'old' | 'new'): PodFacts {
  const rel = (at: number) => Math.round(at - origin);
  const events: PodEvent[] = observed.states.map((s) => ({
    atMs: rel(s.atMs),
    state: s.state,
    ...(s.detail ? { detail: s.detail } : {}),
  }));
  const first = (state: PodEvent['state'], after = Number.NEGATIVE_INFINITY) =>
    events.find((e) => e.state === state && e.atMs >= after)?.atMs;
  const container = observed.pod.spec?.containers?.[0];
  const facts: PodFacts = {
    name: observed.name,
    revision,
    events,
    containerPort: container?.ports?.[0]?.containerPort ?? 0,
    readinessProbe: container?.readinessProbe !== undefined,
  };
  const readyAt = first('ready');
  if (readyAt !== undefined) facts.readyAt = readyAt;
  const deletedAt = first('terminating');
  if (deletedAt !== undefined) {
    facts.deletedAt = deletedAt;
    const grace =
      observed.deletionGraceSeconds ??
      observed.pod.metadata?.deletionGracePeriodSeconds ??
      observed.pod.spec?.terminationGracePeriodSeconds ??
      30;
    const delay = preStopDelayMs(observed.pod, grace);
    const exitedAt = events.find((e) => (e.state === 'exited' || e.state === 'killed') && e.atMs >= deletedAt)?.atMs;
    if (delay !== undefined && (exitedAt === undefined || deletedAt + delay <= exitedAt)) {
      const estimate: PodEvent = {
        atMs: deletedAt + delay,
        state: 'stop-signal',
        detail: delay > 0 ? `estimated: after the preStop hook (${delay / 1000} s)` : 'estimated: no preStop hook',
      };
      const index = events.findIndex((e) => e.atMs > estimate.atMs);
      if (index === -1) events.push(estimate);
      else events.splice(index, 0, estimate);
    }
    const stoppedAt = events.find(
      (e) => (e.state === 'stop-signal' || e.state === 'exited' || e.state === 'killed') && e.atMs >= deletedAt,
    )?.atMs;
    if (stoppedAt !== undefined) facts.stoppedAt = stoppedAt;
    const killedAt = first('killed', deletedAt);
    if (killedAt !== undefined) facts.killedAt = killedAt;
    const removed = observed.endpoint.find((c) => !c.present && rel(c.atMs) >= deletedAt);
    if (removed) facts.endpointRemovedAt = rel(removed.atMs);
  }
  if (observed.goneAt !== undefined) facts.goneAt = rel(observed.goneAt);
  const exit = [...events].reverse().find((e) => e.state === 'exited' || e.state === 'killed');
  if (exit?.detail) facts.lastExit = exit.detail;
  return facts;
}

/** The pods routable at `atMs` by the routing changes, or undefined before the first one. */
function routableAt(routing: readonly RoutingChange[], atMs: number): readonly string[] | undefined {
  let now: readonly string[] | undefined;
  for (const change of routing) {
    if (change.atMs > atMs) break;
    now = change.pods;
  }
  return now;
}

/** Which pod a failed request most likely reached; undefined when none was routable (or none explains it). */
export function inferPod(
  failure: FailedRequest,
  pods: readonly PodFacts[],
  routing: readonly RoutingChange[],
  allowanceMs = PROPAGATION_ALLOWANCE_MS,
): { pod?: string; notReady?: boolean } {
  const now = routableAt(routing, failure.startMs);
  const before = routableAt(routing, failure.startMs - allowanceMs);
  if (now?.length === 0 && before !== undefined && before.length === 0) return {};
  let stopped: PodFacts | undefined;
  for (const p of pods) {
    if (p.stoppedAt === undefined || p.stoppedAt > failure.endMs + SLACK_MS) continue;
    if (p.goneAt !== undefined && failure.startMs > p.goneAt + PROPAGATION_ALLOWANCE_MS) continue;
    if (!stopped || (stopped.stoppedAt as number) < p.stoppedAt) stopped = p;
  }
  if (stopped) return { pod: stopped.name };
  let fresh: PodFacts | undefined;
  for (const p of pods) {
    if (p.readinessProbe || p.readyAt === undefined) continue;
    if (p.readyAt > failure.endMs + SLACK_MS || failure.startMs > p.readyAt + NOT_READY_WINDOW_MS) continue;
    if (!fresh || (fresh.readyAt as number) < p.readyAt) fresh = p;
  }
  return fresh ? { pod: fresh.name, notReady: true } : {};
}

const secs = (ms: number) => `${(Math.abs(ms) / 1000).toFixed(2)} s`;

/** One failure in words: where it fell on its pod's timeline, the cause and the rules. */
export function explainFailure(failure: FailedRequest, cause: FailureCause, pod: PodFacts | undefined): string {
  const how =
    failure.connection === 'new'
      ? ' on a new connection'
      : failure.connection === 'reused'
        ? ' on a kept-alive connection'
        : '';
  const meaning = CAUSES[cause];
  const rules = meaning.rules.map((r) => r.id).join(', ');
  const tail = `: ${meaning.title.replace('{consumer}', CONSUMER)} → ${cause}${rules ? ` (${rules})` : ''}`;
  const at = failure.startMs;
  if (!pod) return `${failure.kind}${how}, with no ready endpoint to route to${tail}`;
  const where: string[] = [];
  if (cause === 'not-ready' && pod.readyAt !== undefined) {
    where.push(
      `${secs(at - pod.readyAt)} ${at >= pod.readyAt ? 'after' : 'before'} pod ${pod.name} turned Ready${pod.readinessProbe ? '' : ' (it has no readiness probe)'}`,
    );
  } else if (pod.deletedAt !== undefined) {
    if (cause === 'sigkill' && pod.killedAt !== undefined) {
      where.push(
        `in flight when pod ${pod.name} was SIGKILLed, ${secs(pod.killedAt - pod.deletedAt)} after its deletion`,
      );
    } else {
      where.push(`${secs(at - pod.deletedAt)} after pod ${pod.name} was deleted`);
      if (pod.endpointRemovedAt !== undefined) {
        where.push(
          `${secs(at - pod.endpointRemovedAt)} ${at >= pod.endpointRemovedAt ? 'after' : 'before'} its endpoint was removed`,
        );
      } else where.push('while its endpoint was still listed');
    }
  } else {
    where.push(`on pod ${pod.name}`);
  }
  return `${failure.kind}${how} ${where.join(', ')}${tail}`;
}

export interface VerifiedAttribution {
  attribution: Attribution;
  /** The failures with their inferred pods, in order. */
  failures: FailedRequest[];
  /** One sentence per failure, in order. */
  explanations: string[];
  records: PodRecord[];
}

/**
 * The attribution of every failure of the run: pods inferred, causes named by rehearse's attribution, explained in
 * words, and the pods as the report shows them (failures counted per pod; a cluster does not say who served the rest).
 * `allowanceMs`: how late the consumer may follow `routing` (the EndpointSlices' routing: kube-proxy's worst
 * propagation; 0 for the routing of the consumer itself, when the caller runs it).
 */
export function attributeRun(
  failures: readonly FailedRequest[],
  pods: readonly PodFacts[],
  routing: readonly RoutingChange[],
  allowanceMs = PROPAGATION_ALLOWANCE_MS,
): VerifiedAttribution {
  const placed: FailedRequest[] = [];
  /** The last failure blamed on each probe-less pod that was Ready before it served. */
  const notServingUntil = new Map<string, number>();
  for (const f of failures) {
    const { pod, notReady } = inferPod(f, pods, routing, allowanceMs);
    const copy: FailedRequest = { ...f };
    delete copy.pod;
    if (pod) copy.pod = pod;
    placed.push(copy);
    if (pod && notReady) notServingUntil.set(pod, Math.max(notServingUntil.get(pod) ?? 0, f.startMs));
  }
  // Such a pod counts as Ready for the attribution only after the failures it could not serve.
  const timelines: PodTimeline[] = pods.map((p) => {
    const until = notServingUntil.get(p.name);
    if (until === undefined) return { name: p.name, events: p.events };
    let moved = false;
    return {
      name: p.name,
      events: p.events.map((e) => {
        if (e.state !== 'ready' || moved) return e;
        moved = true;
        return { ...e, atMs: Math.max(e.atMs, until + 1000) };
      }),
    };
  });
  // Consumers learn each EndpointSlice change late: the routing the attribution compares with is shifted by it.
  const delayed = routing.map((r) => ({ atMs: r.atMs + allowanceMs, pods: r.pods }));
  const attribution = attributeFailures({ failures: placed, pods: timelines, routing: delayed, consumer: CONSUMER });
  const byName = new Map(pods.map((p) => [p.name, p]));
  const explanations = placed.map((f, i) =>
    explainFailure(f, attribution.causes[i] ?? 'other', f.pod === undefined ? undefined : byName.get(f.pod)),
  );
  const failedOn = new Map<string, number>();
  for (const f of placed) if (f.pod) failedOn.set(f.pod, (failedOn.get(f.pod) ?? 0) + 1);
  const records: PodRecord[] = pods.map((p) => {
    const exit = p.lastExit;
    const signal = exit?.startsWith('signal ') ? exit.slice('signal '.length).split(' ')[0] : undefined;
    const code = exit?.startsWith('code ') ? Number(exit.slice('code '.length).split(' ')[0]) : undefined;
    return {
      name: p.name,
      revision: p.revision,
      port: p.containerPort,
      events: p.events,
      ...(signal ? { signal, exitCode: null } : code !== undefined ? { exitCode: code } : {}),
      requests: { ok: 0, failed: failedOn.get(p.name) ?? 0 },
    };
  });
  return { attribution, failures: placed, explanations, records };
}
