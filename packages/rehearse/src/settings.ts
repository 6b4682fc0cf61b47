import {
  DEFAULT_GRACE_PERIOD_SECONDS,
  type EffectiveRollout,
  effectiveRollout,
  type LoadBalancerProfile,
  type ResolvedProbe,
  resolveProbe,
} from '@zerodrop/core';

/** How the kubelet runs the preStop hook. `sleep` covers the native sleep action and `exec: [sleep, N]`. */
export type PreStopHook =
  /** `inContainer`: an exec'd sleep, which ends early when the container exits (the native action does not). */
  | { type: 'sleep'; seconds: number; inContainer?: boolean }
  | { type: 'exec'; command: string[] }
  | { type: 'httpGet'; path: string };

/** What the pod template says about probes and termination (ports always mean the replica's PORT). */
export interface PodSettings {
  startup?: ResolvedProbe;
  readiness?: ResolvedProbe;
  liveness?: ResolvedProbe;
  preStop?: PreStopHook;
  gracePeriodSeconds: number;
  /** Sent to the replica's top process (the container's PID 1); SIGKILL always goes to the whole process group. */
  stopSignal: NodeJS.Signals;
}

/**
 * Which propagation delay each consumer uses: the profile's typical or worst value, a value drawn uniformly
 * between the two for every endpoint change (the default: consumers never agree on timing), or fixed seconds.
 */
export type PropagationMode = 'typical' | 'worst' | 'random' | number;

export interface LoadSettings {
  /** Open-loop arrival rate, requests per second. */
  rate: number;
  /** Keep-alive client connections the requests share. */
  connections: number;
  /** Path of ordinary requests. */
  path: string;
  /** Paths mixed in with a share each (slow or streaming endpoints the app provides). */
  mix: { path: string; share: number }[];
  /** Per-request timeout in wall-clock milliseconds, from arrival to the end of the response body. */
  timeoutMs: number;
  /** Client-side retries of a request that was reset or refused; 0 shows every drop. */
  retries: number;
}

export interface RehearsalSettings {
  command: string[];
  /** The new revision's command; the same as `command` when unset. */
  newCommand?: string[];
  env: Record<string, string>;
  /** Extra environment of the new revision only (to make the change visible to the app). */
  newEnv: Record<string, string>;
  replicas: number;
  rollout: EffectiveRollout;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  pod: PodSettings;
  profile: LoadBalancerProfile;
  propagation: PropagationMode;
  /** Pods must pass the external load balancer's health check before they count as Ready (GKE NEG, AWS ALB). */
  readinessGate: boolean;
  load: LoadSettings;
  /** Every Kubernetes-side duration is divided by this; the app learns it through ZERODROP_SPEED. */
  speed: number;
  /** Wall-clock milliseconds of load before the rollout starts and after the last old pod is gone. */
  warmupMs: number;
  settleMs: number;
  /** Where the settings came from, for the result. */
  manifest?: string;
  /** A pod that exits uncleanly (non-zero, a signal's default action, SIGKILL) is a warning, not a failure. */
  allowUncleanExit?: boolean;
}

/** The readiness probe used when the pod template has none and no manifest says otherwise: TCP connect, 1 s. */
export function defaultReadiness(readyPath?: string): ResolvedProbe {
  return resolveProbe({
    ...(readyPath ? { httpGet: { path: readyPath } } : { tcpSocket: {} }),
    periodSeconds: 1,
    failureThreshold: 3,
  });
}

export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/** Settings with Kubernetes' defaults, for callers that only know the command (tests, benchmarks). */
export function defaultSettings(
  command: string[],
  profile: LoadBalancerProfile,
  overrides: Partial<RehearsalSettings> = {},
): RehearsalSettings {
  const replicas = overrides.replicas ?? 2;
  return {
    command,
    env: {},
    newEnv: {},
    replicas,
    rollout: effectiveRollout(replicas, undefined),
    minReadySeconds: 0,
    progressDeadlineSeconds: DEFAULT_PROGRESS_DEADLINE_SECONDS,
    pod: { readiness: defaultReadiness(), gracePeriodSeconds: DEFAULT_GRACE_PERIOD_SECONDS, stopSignal: 'SIGTERM' },
    profile,
    propagation: 'random',
    readinessGate: profile.healthCheck !== undefined,
    load: { rate: 200, connections: 16, path: '/', mix: [], timeoutMs: 5000, retries: 0 },
    speed: 1,
    warmupMs: 1500,
    settleMs: 1500,
    ...overrides,
  };
}

/** Kubernetes seconds to wall-clock milliseconds under --speed. */
export function scaledMs(seconds: number, speed: number): number {
  return (seconds * 1000) / speed;
}

/** A human label for the preStop hook, for summaries and the result. */
export function describePreStop(hook: PreStopHook | undefined): string {
  if (!hook) return 'none';
  if (hook.type === 'sleep') return `sleep ${hook.seconds}s`;
  if (hook.type === 'httpGet') return `httpGet ${hook.path}`;
  return `exec ${hook.command.join(' ')}`;
}
