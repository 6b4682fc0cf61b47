import type { Attribution, RoutingChange } from './attribution.js';
import type { Diagnosis } from './diagnosis.js';

/**
 * The outcome of one rehearsal: what `--json` writes, what the summary and the HTML report render.
 * Times are milliseconds since the rehearsal started, in wall-clock time (not divided by --speed).
 */
export const RESULT_VERSION = 1;

/** How a request ended when it did not end well. */
export type FailureKind =
  /** The app answered with a 5xx status (or the proxy answered 502/503 for it). */
  | 'http5xx'
  /** The connection was reset (ECONNRESET / EPIPE / socket hang up) before a full response. */
  | 'reset'
  /** Nothing accepted the connection (ECONNREFUSED), or no endpoint was left to route to. */
  | 'refused'
  /** No response within the client's timeout. */
  | 'timeout'
  /** The replica serving it was SIGKILLed while the request was in flight. */
  | 'killed';

export const FAILURE_KINDS: readonly FailureKind[] = ['http5xx', 'reset', 'refused', 'timeout', 'killed'];

/** Where in the rehearsal a request was sent. */
export type Phase = 'warmup' | 'rollout' | 'settle';

export type PodState =
  | 'created'
  | 'started'
  | 'ready'
  | 'not-ready'
  | 'terminating'
  | 'prestop-done'
  | 'stop-signal'
  | 'exited'
  | 'killed';

export interface PodEvent {
  atMs: number;
  state: PodState;
  detail?: string;
}

export interface PodRecord {
  name: string;
  /** 'old' pods run before the rollout, 'new' pods are created by it. */
  revision: 'old' | 'new';
  port: number;
  pid?: number;
  events: PodEvent[];
  exitCode?: number | null;
  signal?: string | null;
  requests: { ok: number; failed: number };
  /** The last lines the pod printed, kept when it ended badly (crashed, non-zero exit, SIGKILL). */
  output?: string[];
}

export interface RequestFailure {
  atMs: number;
  pod?: string;
  kind: FailureKind;
  phase: Phase;
  detail: string;
}

export interface TimelineBucket {
  atMs: number;
  ok: number;
  failed: number;
}

export interface RehearsalResult {
  version: typeof RESULT_VERSION;
  startedAt: string;
  durationMs: number;
  settings: {
    command: string[];
    manifest?: string;
    profile: string;
    replicas: number;
    rate: number;
    connections: number;
    speed: number;
    maxSurge: number;
    maxUnavailable: number;
    preStop: string;
    gracePeriodSeconds: number;
    /** A pod that exits uncleanly is a warning that still passes (`--allow-unclean-exit`). */
    allowUncleanExit?: boolean;
  };
  /** How the replicas were contained on this machine (cgroup, PID namespace, process group). */
  isolation?: string;
  requests: {
    total: number;
    ok: number;
    failed: number;
    byKind: Record<FailureKind, number>;
    byPhase: Record<Phase, { total: number; failed: number }>;
    latencyMs: { p50: number; p99: number; max: number };
  };
  rollout: {
    /** From the first new pod to the last old pod gone. */
    durationMs: number;
    /** Whether the Deployment controller reached the new revision within the progress deadline. */
    completed: boolean;
    phases: { name: Phase; startMs: number; endMs: number }[];
  };
  pods: PodRecord[];
  /** Requests per bucket over the whole run, for the chart. */
  timeline: { bucketMs: number; buckets: TimelineBucket[] };
  /** The first failures in detail (capped), for the report. */
  failures: RequestFailure[];
  /** Every failure placed on the timeline and grouped by cause, with what to change and the lint rules. */
  attribution?: Pick<Attribution, 'groups'>;
  /** What the traffic consumer in front of the load routed new requests to, over time. */
  routing?: RoutingChange[];
  /** The manifest the rehearsal used, linted: what `zerodrop lint` says about it. */
  lint?: { file: string; findings: LintNote[] };
  /**
   * How the rehearsal ended: it ran to the end; it was interrupted (Ctrl-C) and the numbers are partial; or it
   * could not run (the app never became ready, the command was not found), with the reason.
   */
  outcome?: { status: 'completed' | 'aborted' | 'error'; message?: string; diagnosis?: Diagnosis };
  /** What happened, in order: controller decisions, pod events, consumer changes (capped). */
  events?: { atMs: number; what: string }[];
  /**
   * Set when the rollout was a real one on a cluster: measured by `zerodrop verify`, or by a rehearsal on the real
   * control plane (`controlPlane` set too).
   */
  verify?: VerifiedRollout;
  /** Set when a rehearsal ran on the real control plane (`zerodrop rehearse --control-plane kubernetes`). */
  controlPlane?: ControlPlane;
}

/** The local cluster a rehearsal ran on. */
export interface ControlPlane {
  kind: 'kubernetes';
  /** The Kubernetes release of its binaries (`v1.33.13`). */
  version: string;
  /** Its folder. */
  cluster: string;
  /** Started for this run and stopped after it (else one given with `--cluster`, left running). */
  temporary: boolean;
  nodes: number;
}

/** What `zerodrop verify` measured: which Deployment, where, through which URL, changed how. */
export interface VerifiedRollout {
  /** The kubeconfig context, or `in-cluster`. */
  context: string;
  server: string;
  namespace: string;
  deployment: string;
  url: string;
  /** `restart`, `none` (a rollout someone else started) or `drain:NODE`. */
  trigger: string;
  /** Every answer of the eviction API during a drain, 429s from PodDisruptionBudgets included. */
  evictions?: { atMs: number; pod: string; status: number; message: string }[];
  /** What the reader should know about this run (a rollout already under way, findings left out, ...). */
  notes?: string[];
}

/** The command that produced the result, for titles: `rehearse` (on any control plane) or `verify`. */
export function toolOf(result: Pick<RehearsalResult, 'verify' | 'controlPlane'>): 'rehearse' | 'verify' {
  return result.verify && !result.controlPlane ? 'verify' : 'rehearse';
}

/** One lint finding on the rehearsed manifest. */
export interface LintNote {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  line: number;
  column: number;
  url: string;
}
