/**
 * The shape of a rollout, read from a result's pod events so that runs of different engines (the built-in models,
 * a real control plane) compare: the ordered steps of pod creations and deletions, and the surge and unavailability
 * actually reached. Names, hashes and absolute times cannot be equal between engines; orderings and counts can.
 */
import type { PodRecord, RehearsalResult } from './result.js';

/** One step: pods of one revision created, or deleted (with whether they were Ready when deleted). */
export interface RolloutStep {
  /** `+` created, `-` deleted. */
  sign: '+' | '-';
  revision: 'old' | 'new';
  count: number;
  /** Deleted pods only: they were not Ready when deleted (the ReplicaSet controller takes those first). */
  notReady?: boolean;
  /** When the first action of the step was seen, ms on the result's clock. */
  atMs: number;
}

export interface RolloutShape {
  steps: RolloutStep[];
  /** The most pods alive and not terminating at once, minus spec.replicas. */
  maxSurge: number;
  /** spec.replicas minus the fewest pods Ready and not terminating at once. */
  maxUnavailable: number;
  /** New pods that became Ready. */
  newReady: number;
}

/** `+1 new`, `-2 old`, `-1 old not-ready`. */
export function stepText(step: Pick<RolloutStep, 'sign' | 'revision' | 'count' | 'notReady'>): string {
  return `${step.sign}${step.count} ${step.revision}${step.notReady ? ' not-ready' : ''}`;
}

/** The steps as one line: `+1 new, -1 old, +1 new, -1 old`. */
export function stepsText(steps: readonly RolloutStep[]): string {
  return steps.length ? steps.map(stepText).join(', ') : '–';
}

interface Mark {
  atMs: number;
  pod: PodRecord;
  state: PodRecord['events'][number]['state'];
}

/** When the rollout began: the start of its phase, else the first new pod. */
function rolloutStart(result: Pick<RehearsalResult, 'rollout' | 'pods'>): number {
  const phase = result.rollout.phases.find((p) => p.name === 'rollout');
  if (phase) return phase.startMs;
  const created = result.pods.filter((p) => p.revision === 'new').map((p) => p.events[0]?.atMs ?? 0);
  return created.length ? Math.min(...created) : 0;
}

/**
 * Actions seen within this many ms of the previous one are one moment: the real Deployment and ReplicaSet
 * controllers act on separate ReplicaSets, so a creation and the deletion that made room for it arrive in either
 * order a few tens of ms apart, whereas steps that wait on a pod turning Ready are a probe period apart.
 */
export const MOMENT_MS = 250;

type Action = Omit<RolloutStep, 'count'>;

/** Consecutive actions of the same kind as one step each. */
function merge(actions: readonly Action[]): RolloutStep[] {
  const steps: RolloutStep[] = [];
  for (const action of actions) {
    const last = steps.at(-1);
    if (last && last.sign === action.sign && last.revision === action.revision && last.notReady === action.notReady) {
      last.count++;
    } else {
      steps.push({ ...action, count: 1 });
    }
  }
  return steps;
}

/** Within a moment, deletions before creations (not-Ready victims first), whatever order they were seen in. */
function canonical(moment: readonly Action[]): Action[] {
  const rank = (a: Action) => (a.sign === '-' ? (a.notReady ? 0 : 1) : 2);
  return [...moment].sort((a, b) => rank(a) - rank(b) || a.atMs - b.atMs);
}

/**
 * The rollout's steps and extremes. Actions seen within MOMENT_MS of each other are one moment, listed deletions
 * first; then consecutive actions of the same kind are one step. Surge and unavailability are read from the start
 * of the rollout on, at the end of each moment (all the changes seen within MOMENT_MS of each other applied).
 */
export function rolloutShape(result: Pick<RehearsalResult, 'rollout' | 'pods' | 'settings'>): RolloutShape {
  const start = rolloutStart(result);
  const marks: Mark[] = result.pods
    .flatMap((pod) => pod.events.map((e) => ({ atMs: e.atMs, pod, state: e.state })))
    .sort((a, b) => a.atMs - b.atMs);
  const alive = new Set<string>();
  const ready = new Set<string>();
  const replicas = result.settings.replicas;
  let maxSurge = Number.NEGATIVE_INFINITY;
  let minReady = Number.POSITIVE_INFINITY;
  const moments: Action[][] = [];
  const newReady = new Set<string>();
  const act = (action: Action) => {
    const moment = moments.at(-1);
    const last = moment?.at(-1);
    if (moment && last && action.atMs - last.atMs <= MOMENT_MS) moment.push(action);
    else moments.push([action]);
  };
  for (let i = 0; i < marks.length; i++) {
    const mark = marks[i] as Mark;
    const name = mark.pod.name;
    const during = mark.atMs >= start;
    switch (mark.state) {
      case 'created':
        alive.add(name);
        if (during && mark.pod.revision === 'new') act({ sign: '+', revision: 'new', atMs: mark.atMs });
        break;
      case 'ready':
        if (alive.has(name)) ready.add(name);
        if (mark.pod.revision === 'new') newReady.add(name);
        break;
      case 'not-ready':
        ready.delete(name);
        break;
      case 'terminating': {
        const wasReady = ready.has(name);
        alive.delete(name);
        ready.delete(name);
        if (during) {
          act({ sign: '-', revision: mark.pod.revision, atMs: mark.atMs, ...(wasReady ? {} : { notReady: true }) });
        }
        break;
      }
      case 'exited':
      case 'killed':
        // A container that ended without a deletion is waiting to restart: not ready, still a pod.
        ready.delete(name);
        break;
    }
    const next = marks[i + 1];
    if (during && (!next || next.atMs - mark.atMs > MOMENT_MS)) {
      maxSurge = Math.max(maxSurge, alive.size - replicas);
      minReady = Math.min(minReady, ready.size);
    }
  }
  return {
    steps: merge(moments.flatMap(canonical)),
    maxSurge: Number.isFinite(maxSurge) ? maxSurge : 0,
    maxUnavailable: Number.isFinite(minReady) ? replicas - minReady : 0,
    newReady: newReady.size,
  };
}
