import type { TerminationSettings } from './timeline.js';
import type { Container, Workload } from './workload.js';

/** What the manifests cannot say about the app: how it drains. Comes from `.zerodrop.yaml` (`app:`). */
export interface AppDrainConfig {
  /** Seconds the app needs, once it stops accepting, to finish in-flight work and exit. */
  drainSeconds: number;
  /**
   * Seconds the app holds a preStop `httpGet` before answering (it keeps serving meanwhile), i.e. its drain delay.
   */
  drainDelaySeconds: number;
  /**
   * Seconds the app keeps serving after the stop signal before it closes its listener, e.g. @zerodrop/graceful's
   * drainDelay behind a preStop sleep or exec hook. Not added after an httpGet hook: the app held that one already.
   * Default 0.
   */
  delayAfterSignalSeconds?: number;
}

/** @zerodrop/graceful's default drain delay is 5 s; in-flight work is assumed to finish within 5 s. */
export const DEFAULT_APP_DRAIN: AppDrainConfig = { drainSeconds: 5, drainDelaySeconds: 5 };

/**
 * How long the container's preStop hook keeps the stop signal back: a native sleep or an exec `sleep N` for their
 * seconds, an httpGet for the app's drain delay; 0 for no hook or a hook whose duration cannot be told.
 */
export function preStopSecondsOf(container: Container, app: AppDrainConfig = DEFAULT_APP_DRAIN): number {
  const hook = container.preStop;
  if (!hook) return 0;
  switch (hook.kind) {
    case 'sleep':
      return hook.seconds;
    case 'exec':
      return hook.sleepSeconds ?? 0;
    case 'httpGet':
      return app.drainDelaySeconds;
    default:
      return 0;
  }
}

/** The termination settings of one container of a workload, as `computeTimeline` takes them. */
export function terminationOf(
  workload: Workload,
  container: Container,
  app: AppDrainConfig = DEFAULT_APP_DRAIN,
): TerminationSettings {
  return {
    preStopSeconds: preStopSecondsOf(container, app),
    gracePeriodSeconds: workload.terminationGracePeriodSeconds,
    appDelaySeconds: container.preStop?.kind === 'httpGet' ? 0 : (app.delayAfterSignalSeconds ?? 0),
    appDrainSeconds: app.drainSeconds,
  };
}
