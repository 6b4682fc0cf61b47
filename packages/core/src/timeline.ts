import { type LoadBalancerProfile, slowestConsumer } from './profiles.js';
import type { EffectiveRollout } from './rollout.js';

/** The kubelet never gives less than this after the stop signal (minimumGracePeriodInSeconds). */
export const MINIMUM_GRACE_AFTER_PRESTOP_SECONDS = 2;
/** spec.terminationGracePeriodSeconds when left out. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;
/** Margin added on top of every worst case unless configured. */
export const DEFAULT_MARGIN_SECONDS = 1;

/** What the pod does when it is deleted, in seconds. */
export interface TerminationSettings {
  /** preStop hook duration (sleep / exec sleep / httpGet held by the app); 0 when there is none. */
  preStopSeconds: number;
  /** spec.terminationGracePeriodSeconds (default 30). */
  gracePeriodSeconds: number;
  /** Time the app keeps serving after the stop signal before it closes its listener (an in-app delay); usually 0. */
  appDelaySeconds?: number;
  /** Time the app needs after it stops accepting to finish in-flight work and exit. */
  appDrainSeconds: number;
}

export interface TimelineEvent {
  atSeconds: number;
  actor: string;
  what: string;
}

/** One of the zero-drop conditions, evaluated. */
export interface ConditionCheck {
  id: 'prestop-covers-propagation' | 'grace-covers-drain';
  ok: boolean;
  /** The arithmetic, spelled out. */
  detail: string;
}

export interface Timeline {
  profile: LoadBalancerProfile['id'];
  /** When the preStop hook ends and the stop signal is sent (preStop is cut at the grace period). */
  stopSignalAtSeconds: number;
  /** When the app stops accepting new connections. */
  listenerClosedAtSeconds: number;
  /** When the app is expected to have finished in-flight work. */
  drainedAtSeconds: number;
  /** When the kubelet sends SIGKILL: min(preStop, grace) + max(grace - preStop, 2). */
  sigkillAtSeconds: number;
  /** max d_i: when the last consumer stops sending new requests (worst case). */
  consumersGoneAtSeconds: number;
  /** The smallest safe values for this profile and app. */
  required: { preStopSeconds: number; gracePeriodSeconds: number };
  conditions: ConditionCheck[];
  events: TimelineEvent[];
}

export interface TimelineOptions {
  marginSeconds?: number;
  /** Overrides the profile's worst-case propagation (e.g. a measured value for this cluster). */
  propagationSeconds?: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** When the kubelet sends SIGKILL after deletion, as killContainer computes it. */
export function sigkillAtSeconds(preStopSeconds: number, gracePeriodSeconds: number): number {
  // A grace period of 0 skips the preStop hook, and the kubelet still leaves the stop signal its minimum 2 s.
  const grace = Math.max(0, gracePeriodSeconds);
  const hook = grace > 0 ? Math.min(preStopSeconds, grace) : 0;
  return hook + Math.max(grace - hook, MINIMUM_GRACE_AFTER_PRESTOP_SECONDS);
}

/**
 * The termination timeline of one pod behind a profile's consumers: when each consumer stops sending, when the
 * stop signal arrives, when the app closes and drains, when SIGKILL comes, and whether conditions 1 and 3 of the
 * zero-drop list hold (preStop outlasts propagation; grace covers preStop + drain).
 */
export function computeTimeline(
  settings: TerminationSettings,
  profile: LoadBalancerProfile,
  options: TimelineOptions = {},
): Timeline {
  const margin = options.marginSeconds ?? DEFAULT_MARGIN_SECONDS;
  const grace = settings.gracePeriodSeconds;
  const appDelay = settings.appDelaySeconds ?? 0;
  const slowest = slowestConsumer(profile);
  const consumersGone = options.propagationSeconds ?? slowest.propagation.worstSeconds;
  const stopSignal = grace > 0 ? Math.min(settings.preStopSeconds, grace) : 0;
  const sigkill = sigkillAtSeconds(settings.preStopSeconds, grace);
  const listenerClosed = Math.min(stopSignal + appDelay, sigkill);
  const drained = listenerClosed + settings.appDrainSeconds;

  const requiredPreStop = round(Math.max(0, consumersGone + margin - appDelay));
  const requiredGrace = Math.ceil(
    Math.max(requiredPreStop, settings.preStopSeconds) + appDelay + settings.appDrainSeconds + margin,
  );

  const events: TimelineEvent[] = [
    { atSeconds: 0, actor: 'api-server', what: 'pod deleted: endpoint marked terminating' },
  ];
  for (const c of profile.consumers) {
    const at = options.propagationSeconds !== undefined && c === slowest ? consumersGone : c.propagation.worstSeconds;
    events.push({
      atSeconds: at,
      actor: c.id,
      what: `stops sending new requests (worst case; typical ${c.propagation.typicalSeconds}s)`,
    });
  }
  if (settings.preStopSeconds > 0) events.push({ atSeconds: 0, actor: 'kubelet', what: 'runs the preStop hook' });
  events.push({ atSeconds: stopSignal, actor: 'kubelet', what: 'sends the stop signal (SIGTERM)' });
  if (appDelay > 0)
    events.push({ atSeconds: listenerClosed, actor: 'app', what: 'in-app drain delay ends: closes its listener' });
  else events.push({ atSeconds: listenerClosed, actor: 'app', what: 'stops accepting new connections' });
  events.push({ atSeconds: drained, actor: 'app', what: 'in-flight work finished: exits' });
  events.push({ atSeconds: sigkill, actor: 'kubelet', what: 'sends SIGKILL if the container still runs' });
  events.sort((a, b) => a.atSeconds - b.atSeconds);

  // Two sums, each with the numbers it adds: when the app is drained with the hook as written, and the grace period
  // the timeline needs, which counts the preStop the consumers need when the written one is shorter.
  const graceDetail = (): string => {
    const delayPart = appDelay ? ` + in-app delay ${appDelay}s` : '';
    const ok = drained + margin <= sigkill;
    const now =
      `the app is drained at ${round(drained)}s (preStop ${round(stopSignal)}s${delayPart} + drain ${settings.appDrainSeconds}s)` +
      ` + margin ${margin}s = ${round(drained + margin)}s, ${ok ? 'before' : 'after'} SIGKILL at ${round(sigkill)}s (grace ${grace}s)`;
    if (ok) return now;
    const preStopNeeded = Math.max(requiredPreStop, settings.preStopSeconds);
    const which =
      preStopNeeded > settings.preStopSeconds
        ? `the ${preStopNeeded}s preStop ${slowest.id} needs`
        : `preStop ${round(preStopNeeded)}s`;
    const sum = round(preStopNeeded + appDelay + settings.appDrainSeconds + margin);
    return `${now}; grace must be >= ${requiredGrace}s: ${which}${delayPart} + drain ${settings.appDrainSeconds}s + margin ${margin}s = ${sum}s${sum === requiredGrace ? '' : ', rounded up'}`;
  };
  const conditions: ConditionCheck[] = [
    {
      id: 'prestop-covers-propagation',
      ok: listenerClosed >= consumersGone + margin,
      detail:
        `the app stops accepting at ${round(listenerClosed)}s (preStop ${round(stopSignal)}s` +
        (appDelay ? ` + in-app delay ${appDelay}s` : '') +
        `); ${slowest.id} stops sending at ${round(consumersGone)}s worst case; the preStop must be >= ${requiredPreStop}s (${round(consumersGone)}s + ${margin}s margin` +
        (appDelay ? ` - in-app delay ${appDelay}s` : '') +
        ')',
    },
    {
      id: 'grace-covers-drain',
      ok: drained + margin <= sigkill,
      detail: graceDetail(),
    },
  ];
  return {
    profile: profile.id,
    stopSignalAtSeconds: round(stopSignal),
    listenerClosedAtSeconds: round(listenerClosed),
    drainedAtSeconds: round(drained),
    sigkillAtSeconds: round(sigkill),
    consumersGoneAtSeconds: round(consumersGone),
    required: { preStopSeconds: requiredPreStop, gracePeriodSeconds: requiredGrace },
    conditions,
    events,
  };
}

export interface RolloutDurationInput {
  rollout: EffectiveRollout;
  /** Seconds from pod creation to Ready (startup + first successful readiness probe). */
  podReadySeconds: number;
  minReadySeconds?: number;
  /** Seconds an old pod takes to go away once deleted (preStop + drain, capped by SIGKILL). */
  terminationSeconds: number;
}

export interface RolloutDuration {
  /** Replacement waves: ceil(replicas / (maxSurge + maxUnavailable)). */
  waves: number;
  /** When the controller reports the rollout complete: terminating pods do not hold it back. */
  controllerSeconds: number;
  /** When the last old pod is gone: the controller time plus one termination. */
  lastOldPodGoneSeconds: number;
  /**
   * When new pods can only be scheduled once old ones free their resources (no spare capacity, or
   * podReplacementPolicy: TerminationComplete): every wave also waits a full termination.
   */
  capacityBoundSeconds: number;
  /** Extra pods alive at the peak: surge plus the ones still terminating. */
  peakPods: number;
  explanation: string[];
}

/** How long a rolling update takes and what every second of preStop costs. */
export function rolloutDuration(input: RolloutDurationInput): RolloutDuration {
  const { rollout } = input;
  const minReady = input.minReadySeconds ?? 0;
  const perWave = input.podReadySeconds + minReady;
  const batch = rollout.type === 'Recreate' ? rollout.replicas : Math.max(1, rollout.maxSurge + rollout.maxUnavailable);
  const waves = rollout.replicas === 0 ? 0 : Math.ceil(rollout.replicas / batch);
  const controller = rollout.type === 'Recreate' ? input.terminationSeconds + perWave : waves * perWave;
  const lastGone = rollout.type === 'Recreate' ? input.terminationSeconds : controller + input.terminationSeconds;
  const capacityBound = waves * (perWave + input.terminationSeconds);
  const terminatingAtOnce = Math.min(
    rollout.replicas,
    batch * Math.max(1, Math.ceil(input.terminationSeconds / Math.max(perWave, 1))),
  );
  const explanation = [
    `${rollout.replicas} replica(s) replaced ${batch} at a time (maxSurge ${rollout.maxSurge} + maxUnavailable ${rollout.maxUnavailable}): ${waves} wave(s)`,
    `each wave waits for new pods to become available: ${input.podReadySeconds}s to Ready + ${minReady}s minReadySeconds`,
    `the controller finishes after about ${round(controller)}s; the last old pod is gone ${round(input.terminationSeconds)}s later (${round(lastGone)}s)`,
    `terminating pods do not hold the controller back, but they hold their resources: when the cluster has no room for them, each wave also waits a full termination, ${round(capacityBound)}s in all (${round(capacityBound - controller)}s more: every second of preStop then costs ${waves} second(s))`,
  ];
  return {
    waves,
    controllerSeconds: round(controller),
    lastOldPodGoneSeconds: round(lastGone),
    capacityBoundSeconds: round(capacityBound),
    peakPods: rollout.replicas + rollout.maxSurge + (rollout.type === 'Recreate' ? 0 : terminatingAtOnce),
    explanation,
  };
}
