/**
 * `zerodrop verify`: open-loop load through the user's URL while a real rollout (or drain) runs on a real cluster,
 * the pod / endpoint / event timeline watched through the API, and every failed request tied to it. The result is
 * rehearse's (same summary, JSON and HTML report), with what was verified in `result.verify`.
 *
 * Nothing is changed before every check passed: the credentials may do what the trigger needs, the Deployment
 * exists and is settled, the URL answers, and the user said yes (or passed --yes).
 */
import { AppsV1Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import {
  ApiTimeoutError,
  bounded,
  drainPlan,
  type EvictionAnswer,
  evictAll,
  podsOnNode,
  restartDeployment,
  rolloutState,
  selectorOf,
  setUnschedulable,
  statusCodeOf,
  statusMessageOf,
  WorkloadTimeline,
} from '@zerodrop/cluster';
import { classifyPreStop, effectiveRollout, matchesSelector } from '@zerodrop/core';
import {
  epochMs,
  LoadGenerator,
  type LoadSettings,
  type Phase,
  type Progress,
  RESULT_VERSION,
  Recorder,
  type RehearsalResult,
  type RoutingChange,
  sleep,
  type VerifiedRollout,
} from '@zerodrop/rehearse';
import { accessMessage, forbidden, missingPermissions, permissionsFor, type Trigger, whoAmI } from './access.js';
import { attributeRun, type PodFacts, podFacts } from './attribution.js';
import { VerifyError } from './errors.js';
import { type ClusterAccess, loadClusterAccess } from './kubeconfig.js';
import { type LiveLint, lintLiveDeployment } from './lint.js';
import { checkReachable, parseTarget, type UrlTarget } from './target.js';

export interface VerifyOptions {
  deployment: string;
  /** Default: the context's namespace, else `default`. */
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  url: string;
  /** Replaces the URL's path and query. */
  path?: string;
  trigger: Trigger;
  load: Pick<LoadSettings, 'rate' | 'connections' | 'timeoutMs'> & Partial<Pick<LoadSettings, 'mix' | 'retries'>>;
  /** How long the rollout (from the trigger, or from the start of the wait with `none`) may take. */
  timeoutSeconds: number;
  warmupMs: number;
  settleMs: number;
  /** Asked before anything is changed, with what will change; no callback means yes (--yes). */
  confirm?: (change: string) => Promise<boolean>;
  /**
   * Whether the load's connections reach the pods at L4 (a NodePort, an L4 load balancer: default), so that a failed
   * connection's being new or kept alive says something; false behind an L7 proxy, which opens its own.
   */
  connectionsReachPods?: boolean;
  /**
   * What the consumer in front of the load routed new requests to, over time (epoch ms), when the caller runs that
   * consumer: the attribution then follows it as it is, instead of the EndpointSlices plus kube-proxy's delay.
   */
  consumerRouting?: () => readonly RoutingChange[];
}

export interface VerifyHooks {
  /** Aborting stops the load and the watches and leaves the cluster as it is (a cordoned node is uncordoned). */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  onEvent?: (atMs: number, what: string) => void;
  /** What a user watching should know as it happens: the wait for a rollout, a cordon, each eviction's answer. */
  onNotice?: (what: string) => void;
}

const EVENTS_KEPT = 500;
const POLL_MS = 250;
const SYNC_TIMEOUT_MS = 30_000;
/** Consecutive failed reads of the Deployment (one per POLL_MS) before the API counts as lost. */
const API_TRIES = 40;

export function describeTrigger(trigger: Trigger): string {
  return trigger.kind === 'drain' ? `drain:${trigger.node}` : trigger.kind;
}

/** What the trigger will change, in the words of the question asked before it. */
export function describeChange(trigger: Trigger, namespace: string, deployment: string): string {
  if (trigger.kind === 'restart') {
    return `restart deployment ${namespace}/${deployment} (patch its pod template like kubectl rollout restart: every pod is replaced)`;
  }
  if (trigger.kind === 'drain') {
    return `drain node ${trigger.node} (cordon it and evict its pods like kubectl drain, then uncordon it)`;
  }
  return 'nothing (verify waits for a rollout someone else starts)';
}

/** A client error as a VerifyError saying what failed and why; other errors pass through unchanged. */
function apiError(error: unknown, what: string, access?: ClusterAccess): unknown {
  if (error instanceof VerifyError) return error;
  if (error instanceof ApiTimeoutError) {
    return new VerifyError('API', `${error.message}${access ? ` (${access.server})` : ''}`);
  }
  const status = statusCodeOf(error);
  if (status === 403) return forbidden(error, what) ?? error;
  if (status === 401) {
    return new VerifyError(
      'API',
      `${what}: the API server${access ? ` at ${access.server}` : ''} does not accept these credentials (401): check the kubeconfig's user`,
    );
  }
  if (status !== undefined) return new VerifyError('API', `${what}: ${status} ${statusMessageOf(error)}`);
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code;
  if (
    typeof code === 'string' ||
    e?.name === 'FetchError' ||
    /fetch|connect|ECONN|certificate/i.test(e?.message ?? '')
  ) {
    return new VerifyError(
      'API',
      `${what}: cannot reach the API server${access ? ` at ${access.server}` : ''} (${code ?? e?.message ?? String(error)})`,
    );
  }
  return error;
}

/** Reads the Deployment; a missing one is a NOT_FOUND that names the ones there are (when they may be listed). */
async function readDeployment(access: ClusterAccess, namespace: string, name: string): Promise<V1Deployment> {
  const apps = access.kc.makeApiClient(AppsV1Api);
  try {
    return await bounded(apps.readNamespacedDeployment({ name, namespace }), `reading deployment ${namespace}/${name}`);
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw apiError(error, `reading deployment ${namespace}/${name}`, access);
    const names = await bounded(apps.listNamespacedDeployment({ namespace }), 'listing deployments')
      .then((list) => list.items.map((d) => d.metadata?.name ?? ''))
      .catch(() => undefined);
    const there = names === undefined ? '' : ` (there: ${names.length ? names.join(', ') : 'none'})`;
    throw new VerifyError(
      'NOT_FOUND',
      `no deployment "${name}" in namespace ${namespace}${there}: check --deployment and --namespace`,
    );
  }
}

/** Why a rollout does not progress: each pod that is not Ready, with its last Warning event when it has one. */
function whyStuck(timeline: WorkloadTimeline, now: number): string[] {
  const unready = timeline
    .snapshot()
    .filter(
      (p) =>
        p.goneAt === undefined &&
        !p.pod.metadata?.deletionTimestamp &&
        p.states.filter((s) => s.state === 'ready' || s.state === 'not-ready').at(-1)?.state !== 'ready',
    );
  const last = new Map<string, { message: string; count: number }>();
  for (const e of timeline.events()) {
    if (e.type === 'Warning' && e.object.kind === 'Pod')
      last.set(e.object.name, { message: `${e.reason}: ${e.message}`, count: e.count });
  }
  return unready.map((p) => {
    const warning = last.get(p.name);
    if (warning) return `${p.name}: ${warning.message}${warning.count > 1 ? ` (${warning.count}×)` : ''}`;
    const started = p.states.filter((s) => s.state === 'started').at(-1);
    return started
      ? `${p.name}: running for ${((now - started.atMs) / 1000).toFixed(0)} s, not Ready`
      : `${p.name}: not started (${p.pod.status?.phase ?? 'Pending'})`;
  });
}

/**
 * Verifies one rollout. Never throws for the cluster's or the user's reasons: the result's `outcome` says what
 * could not run (exit 2), and an abort gives a partial result.
 */
export async function verify(options: VerifyOptions, hooks: VerifyHooks = {}): Promise<RehearsalResult> {
  const origin = epochMs();
  const startedAt = new Date().toISOString();
  const clock = () => Math.round(epochMs() - origin);
  const events: { atMs: number; what: string }[] = [];
  const event = (what: string) => {
    const atMs = clock();
    if (events.length < EVENTS_KEPT) events.push({ atMs, what });
    hooks.onEvent?.(atMs, what);
  };
  const notice = (what: string) => {
    event(what);
    hooks.onNotice?.(what);
  };
  const signal = hooks.signal ?? new AbortController().signal;
  const trigger = options.trigger;
  const notes: string[] = [];
  const evictions: NonNullable<VerifiedRollout['evictions']> = [];
  let failure: VerifyError | undefined;
  let access: ClusterAccess | undefined;
  let namespace = options.namespace ?? 'default';
  let url: UrlTarget | undefined;
  let deployment: V1Deployment | undefined;
  let timeline: WorkloadTimeline | undefined;
  let load: LoadGenerator | undefined;
  let live: LiveLint | undefined;
  const recorder = new Recorder(origin, () => ({}), options.connectionsReachPods ?? true);
  const phases: { name: Phase; startMs: number; endMs: number }[] = [];
  let phase: Progress['phase'] = 'starting';
  const enter = (name: Phase) => {
    const at = clock();
    const previous = phases.at(-1);
    if (previous) previous.endMs = at;
    phases.push({ name, startMs: at, endMs: at });
    recorder.enterPhase(name, origin + at);
    phase = name;
    event(`phase: ${name}`);
  };
  /** The pods that ran when the trigger came: the old revision, in the report. */
  const before = new Set<string>();
  /** The template hashes of those pods (a rollout replaces every pod of them). */
  const oldHashes = new Set<string>();
  /** The pods that must be gone for the run to be complete: all of `before` in a rollout, the node's in a drain. */
  const mustGo = new Set<string>();
  let underWay = false;
  let rolloutStartedAt: number | undefined;
  let completedAt: number | undefined;
  let completed = false;
  let waiting: string[] = [];
  let cordoned: string | undefined;
  const drainStop = new AbortController();
  let evicting: Promise<void> | undefined;
  let progressTimer: NodeJS.Timeout | undefined;

  try {
    await measure();
  } catch (error) {
    const known = apiError(error, 'talking to the cluster', access);
    if (!(known instanceof VerifyError)) throw known;
    failure = known;
    event(`stopping: ${known.message}`);
  } finally {
    await cleanUp();
  }
  return finish();

  async function measure(): Promise<void> {
    url = parseTarget(options.url, options.path);
    access = loadClusterAccess({
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.context ? { context: options.context } : {}),
    });
    namespace = options.namespace ?? access.namespace ?? 'default';
    const { kc } = access;
    event(`cluster ${access.server} (context ${access.context}), namespace ${namespace}`);

    // 1. Access, before anything else: one message for everything that is missing.
    const missing = await bounded(missingPermissions(kc, namespace, permissionsFor(trigger)), 'checking access').catch(
      (error) => {
        throw apiError(error, 'checking access', access);
      },
    );
    if (missing === undefined)
      notes.push('the access review API is not allowed: permissions are checked as they are used');
    else if (missing.length > 0)
      throw new VerifyError(
        'NO_ACCESS',
        accessMessage(await bounded(whoAmI(kc), 'asking who this is'), namespace, missing),
      );

    // 2. The Deployment, settled.
    deployment = await readDeployment(access, namespace, options.deployment);
    const state = rolloutState(deployment);
    if (!state.done && trigger.kind !== 'none') {
      throw new VerifyError(
        'NOT_READY',
        `deployment ${namespace}/${options.deployment} is not settled (${state.message}): wait until it has rolled out, or measure the rollout under way with --trigger none`,
      );
    }
    if (!state.done) {
      underWay = true;
      notes.push(`a rollout was already under way when verify started (${state.message})`);
    }

    // 3. A drain: the node, and what evicting its pods involves.
    let toEvict: Awaited<ReturnType<typeof podsOnNode>> = [];
    if (trigger.kind === 'drain') {
      const core = kc.makeApiClient(CoreV1Api);
      await bounded(core.readNode({ name: trigger.node }), `reading node ${trigger.node}`).catch((error) => {
        if (statusCodeOf(error) === 404) {
          throw new VerifyError('NOT_FOUND', `no node "${trigger.node}" in the cluster: check --trigger drain:NODE`);
        }
        throw apiError(error, `reading node ${trigger.node}`, access);
      });
      const plan = drainPlan(
        await bounded(podsOnNode(kc, trigger.node), `listing the pods of node ${trigger.node}`).catch((error) => {
          throw apiError(error, `listing the pods of node ${trigger.node}`, access);
        }),
      );
      if (plan.unmanaged.length > 0) {
        throw new VerifyError(
          'NOT_READY',
          `node ${trigger.node} runs pods no controller would recreate (${plan.unmanaged.join(', ')}): kubectl drain refuses without --force, and so does verify. Nothing was changed.`,
        );
      }
      const selector = selectorOf(deployment);
      const ours = plan.evict.filter(
        (p) =>
          p.metadata?.namespace === namespace &&
          matchesSelector(p.metadata?.labels ?? {}, (deployment?.spec?.selector ?? {}) as never),
      );
      if (ours.length === 0) {
        throw new VerifyError(
          'NOT_READY',
          `no pod of deployment ${namespace}/${options.deployment} (${selector}) runs on node ${trigger.node}: the drain would measure nothing. Nothing was changed.`,
        );
      }
      toEvict = plan.evict;
      for (const p of ours) mustGo.add(p.metadata?.name ?? '');
      for (const s of plan.skipped) event(`drain: ${s.pod} is left alone (${s.why})`);
    }

    // 4. The URL answers before anything changes.
    const probe = await checkReachable(url, options.load.timeoutMs);
    if (probe.status >= 400) {
      notes.push(`${url.href} answers ${probe.status}: every ${probe.status} counts as a success; check --path`);
    }
    event(`${url.href} answers ${probe.status}`);

    // 5. What lint says about the Deployment as the cluster has it (never a reason not to measure).
    live = await bounded(lintLiveDeployment(kc, deployment), 'linting the Deployment').catch((error) => {
      notes.push(`lint could not read the Deployment: ${(error as Error).message}`);
      return undefined;
    });
    notes.push(...(live?.notes ?? []));

    // 6. Asked before any change.
    if (trigger.kind !== 'none' && options.confirm) {
      const yes = await options.confirm(describeChange(trigger, namespace, options.deployment));
      if (!yes) throw new VerifyError('NOT_CONFIRMED', 'not confirmed: nothing was changed');
    }
    if (signal.aborted) return;

    // 7. The watches, then the load.
    const watched = new WorkloadTimeline(kc, {
      namespace,
      labelSelector: selectorOf(deployment),
      now: epochMs,
      onError: (what, error) => event(`watch of ${what} failed (${statusMessageOf(error)}); starting over`),
    });
    timeline = watched;
    const synced = await Promise.race([
      watched.start().then(() => true),
      sleep(SYNC_TIMEOUT_MS, signal).then(() => false),
    ]);
    if (signal.aborted) return;
    if (!synced) {
      throw new VerifyError(
        'API',
        `the watches of pods, EndpointSlices and Events did not start within ${SYNC_TIMEOUT_MS / 1000} s`,
      );
    }
    const initialGeneration = deployment.metadata?.generation ?? 0;
    for (const p of watched.snapshot()) {
      if (p.goneAt !== undefined || p.pod.metadata?.deletionTimestamp) continue;
      before.add(p.name);
      if (p.templateHash) oldHashes.add(p.templateHash);
      if (trigger.kind !== 'drain') mustGo.add(p.name);
    }
    let lastTotal = 0;
    let lastAt = performance.now();
    progressTimer = setInterval(() => {
      const now = performance.now();
      const rps = ((recorder.total - lastTotal) * 1000) / Math.max(1, now - lastAt);
      lastTotal = recorder.total;
      lastAt = now;
      const alive = watched.snapshot().filter((p) => p.goneAt === undefined);
      const last = (p: (typeof alive)[number]) =>
        p.states.filter((s) => s.state === 'ready' || s.state === 'not-ready').at(-1)?.state;
      hooks.onProgress?.({
        phase,
        elapsedMs: clock(),
        pods: {
          ready: alive.filter((p) => last(p) === 'ready' && !p.pod.metadata?.deletionTimestamp).length,
          terminating: alive.filter((p) => p.pod.metadata?.deletionTimestamp).length,
          total: alive.length,
        },
        requestsPerSecond: Math.round(rps),
        total: recorder.total,
        failed: recorder.failed,
        waiting,
      });
    }, POLL_MS);
    load = new LoadGenerator(url.target, { mix: [], retries: 0, ...options.load, path: url.path }, (record) =>
      recorder.add(record),
    );
    enter('warmup');
    load.start();
    await sleep(options.warmupMs, signal);
    if (signal.aborted) return;

    // 8. The trigger.
    let targetGeneration = initialGeneration;
    const apps = kc.makeApiClient(AppsV1Api);
    if (trigger.kind === 'restart') {
      enter('rollout');
      rolloutStartedAt = clock();
      const patched = await bounded(
        restartDeployment(kc, namespace, options.deployment),
        `restarting deployment ${namespace}/${options.deployment}`,
      ).catch((error) => {
        throw apiError(error, `restarting deployment ${namespace}/${options.deployment}`, access);
      });
      targetGeneration = patched.metadata?.generation ?? initialGeneration + 1;
      event(`deployment ${options.deployment}: pod template restarted (generation ${targetGeneration})`);
    } else if (trigger.kind === 'drain') {
      enter('rollout');
      rolloutStartedAt = clock();
      if (await bounded(setUnschedulable(kc, trigger.node, true), `cordoning node ${trigger.node}`)) {
        cordoned = trigger.node;
      }
      notice(`node ${trigger.node} cordoned${cordoned ? '' : ' (it already was)'}`);
      const onEviction = (answer: EvictionAnswer) => {
        const atMs = clock();
        evictions.push({ atMs, ...answer });
        notice(
          answer.status === 201
            ? `eviction of ${answer.pod} accepted`
            : `eviction of ${answer.pod} refused (${answer.status}): ${answer.message}`,
        );
      };
      evicting = evictAll(kc, toEvict, { onEviction, signal: drainStop.signal });
      evicting.catch(() => {});
    } else {
      waiting = [`waiting for a rollout of ${namespace}/${options.deployment} to begin: start it now`];
      notice(waiting[0] as string);
    }

    // 9. Until the rollout is complete and the last old pod is gone.
    const deadline = performance.now() + options.timeoutSeconds * 1000;
    let apiFailures = 0;
    let evictionFailure: unknown;
    evicting?.catch((error) => {
      evictionFailure = error;
    });
    while (!signal.aborted) {
      if (evictionFailure) {
        throw apiError(evictionFailure, `draining node ${trigger.kind === 'drain' ? trigger.node : ''}`, access);
      }
      let current: V1Deployment;
      try {
        current = await bounded(
          apps.readNamespacedDeployment({ name: options.deployment, namespace }),
          `reading deployment ${namespace}/${options.deployment}`,
        );
        apiFailures = 0;
      } catch (error) {
        if (statusCodeOf(error) === 404) {
          throw new VerifyError(
            'NOT_FOUND',
            `deployment ${namespace}/${options.deployment} was deleted during the run`,
          );
        }
        if (++apiFailures >= API_TRIES)
          throw apiError(error, `following deployment ${namespace}/${options.deployment}`, access);
        await sleep(POLL_MS, signal);
        continue;
      }
      const pods = watched.snapshot();
      if (rolloutStartedAt === undefined) {
        // --trigger none: the rollout begins with a new template (a new generation or a pod of a new revision).
        const newRevision = pods.some((p) => p.templateHash !== undefined && !oldHashes.has(p.templateHash));
        if ((current.metadata?.generation ?? 0) > initialGeneration || newRevision || underWay) {
          enter('rollout');
          rolloutStartedAt = clock();
          targetGeneration = current.metadata?.generation ?? initialGeneration;
          event(`the rollout began (generation ${targetGeneration})`);
        }
      }
      const status = rolloutState(current);
      const terminating = pods.filter((p) => p.goneAt === undefined && mustGo.has(p.name)).length;
      if (rolloutStartedAt !== undefined) {
        waiting = [status.done && terminating > 0 ? `${terminating} old pod(s) not gone yet` : status.message];
      }
      if (status.failed) {
        throw new VerifyError('TIMEOUT', `the rollout did not complete: ${status.failed}. ${stuckDetail(watched)}`);
      }
      if (rolloutStartedAt !== undefined) {
        // A pod of an old revision is left until the watch saw it deleted (in a drain: the node's pods).
        const oldLeft = pods.some(
          (p) =>
            p.goneAt === undefined &&
            (mustGo.has(p.name) ||
              (trigger.kind !== 'drain' && p.templateHash !== undefined && oldHashes.has(p.templateHash))),
        );
        const evicted = trigger.kind !== 'drain' || evictedAll(evictions, toEvict);
        const observed = (current.status?.observedGeneration ?? 0) >= targetGeneration;
        if (status.done && observed && !oldLeft && evicted) {
          completed = true;
          completedAt = clock();
          event(`rollout complete: ${status.message}; the last old pod is gone`);
          break;
        }
      }
      if (performance.now() > deadline) {
        const what =
          rolloutStartedAt === undefined ? 'no rollout began' : `the rollout did not complete (${status.message})`;
        throw new VerifyError(
          'TIMEOUT',
          `${what} within --timeout ${options.timeoutSeconds} s. ${rolloutStartedAt === undefined ? 'Start the rollout while verify waits, or raise --timeout.' : stuckDetail(watched)}`,
        );
      }
      await sleep(POLL_MS, signal);
    }
    waiting = [];

    // 10. The new pods serve alone for a while.
    if (!signal.aborted) {
      enter('settle');
      await sleep(options.settleMs, signal);
    }
  }

  async function cleanUp(): Promise<void> {
    if (progressTimer) clearInterval(progressTimer);
    progressTimer = undefined;
    phase = 'stopping';
    drainStop.abort();
    await evicting?.catch(() => {});
    if (load) {
      if (signal.aborted) load.abort();
      else await load.stop();
      load = undefined;
    }
    const last = phases.at(-1);
    if (last) last.endMs = clock();
    if (cordoned && access) {
      const node = cordoned;
      cordoned = undefined;
      await bounded(setUnschedulable(access.kc, node, false), `uncordoning node ${node}`)
        .then(() => notice(`node ${node} uncordoned`))
        .catch((error) =>
          notes.push(`node ${node} could not be uncordoned (${statusMessageOf(error)}): kubectl uncordon ${node}`),
        );
    }
    timeline?.stop();
  }

  function stuckDetail(watched: WorkloadTimeline): string {
    const stuck = whyStuck(watched, epochMs());
    return `${stuck.length ? `${stuck.join('; ')}. ` : ''}Nothing was rolled back: the Deployment is as the rollout left it.`;
  }

  function finish(): RehearsalResult {
    if (progressTimer) clearInterval(progressTimer);
    const durationMs = clock();
    const summary = recorder.summarize(durationMs);
    const observed = timeline?.snapshot() ?? [];
    const facts: PodFacts[] = observed.map((p) => podFacts(p, origin, before.has(p.name) ? 'old' : 'new'));
    const own = options.consumerRouting?.();
    const routing = (own ?? timeline?.routing() ?? []).map((r) => ({
      atMs: Math.round(r.atMs - origin),
      pods: r.pods,
    }));
    const run = attributeRun(recorder.timedFailures, facts, routing, own ? 0 : undefined);
    // The first failures in detail: where each fell on the timeline, and why.
    const failures = recorder.failures.map((f, i) => {
      const placed = run.failures[i];
      return {
        ...f,
        ...(placed?.pod ? { pod: placed.pod } : {}),
        detail: `${f.detail} — ${run.explanations[i] ?? ''}`,
      };
    });
    for (const p of observed) {
      for (const e of p.endpoint) {
        pushEvent(
          e.atMs,
          `${p.name}: endpoint ${e.present ? `ready=${e.ready} serving=${e.serving} terminating=${e.terminating}` : 'removed'}`,
        );
      }
      for (const s of p.states) pushEvent(s.atMs, `${p.name}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`);
    }
    for (const e of timeline?.events() ?? []) {
      pushEvent(
        e.atMs,
        `${e.object.kind}/${e.object.name}: ${e.reason}: ${e.message}${e.count > 1 ? ` (${e.count}×)` : ''}`,
      );
    }
    events.sort((a, b) => a.atMs - b.atMs);
    const newPods = facts.filter((p) => p.revision === 'new').map((p) => p.events[0]?.atMs ?? durationMs);
    const firstNewAt = newPods.length ? Math.min(...newPods) : undefined;
    const spec = deployment?.spec;
    const replicas = spec?.replicas ?? 1;
    const rollout = effectiveRollout(replicas, spec?.strategy as never);
    const container = spec?.template.spec?.containers?.[0];
    const preStop = classifyPreStop(container?.lifecycle?.preStop);
    const outcome: RehearsalResult['outcome'] = failure
      ? { status: 'error', message: failure.message }
      : signal.aborted
        ? {
            status: 'aborted',
            message: 'interrupted: the numbers cover the run up to the interruption; the cluster was left as it was',
          }
        : { status: 'completed' };
    return {
      version: RESULT_VERSION,
      startedAt,
      durationMs,
      settings: {
        command: [],
        profile: 'cluster',
        replicas,
        rate: options.load.rate,
        connections: options.load.connections,
        speed: 1,
        maxSurge: rollout.maxSurge,
        maxUnavailable: rollout.maxUnavailable,
        preStop: !preStop
          ? 'none'
          : preStop.kind === 'sleep'
            ? `sleep ${preStop.seconds}s`
            : preStop.kind === 'httpGet'
              ? `httpGet ${preStop.path}`
              : preStop.kind === 'exec'
                ? `exec ${preStop.command.join(' ')}`
                : preStop.handler,
        gracePeriodSeconds: spec?.template.spec?.terminationGracePeriodSeconds ?? 30,
        // The exit status counts requests; a pod that exits uncleanly is reported, not failed.
        allowUncleanExit: true,
      },
      requests: summary.requests,
      rollout: {
        durationMs: firstNewAt !== undefined && completedAt !== undefined ? Math.max(0, completedAt - firstNewAt) : 0,
        completed,
        phases,
      },
      pods: run.records,
      timeline: summary.timeline,
      failures,
      attribution: { groups: run.attribution.groups },
      routing,
      ...(live ? { lint: live.lint } : {}),
      outcome,
      events,
      verify: {
        context: access?.context ?? options.context ?? '',
        server: access?.server ?? '',
        namespace,
        deployment: options.deployment,
        url: url?.href ?? options.url,
        trigger: describeTrigger(trigger),
        ...(evictions.length ? { evictions } : {}),
        ...(notes.length ? { notes: [...new Set(notes)] } : {}),
      },
    };
  }

  function pushEvent(atEpochMs: number, what: string): void {
    if (events.length < EVENTS_KEPT) events.push({ atMs: Math.round(atEpochMs - origin), what });
  }
}

function evictedAll(evictions: readonly EvictionAnswer[], pods: readonly { metadata?: { name?: string } }[]): boolean {
  return pods.every((p) => evictions.some((e) => e.pod === p.metadata?.name && (e.status === 201 || e.status === 404)));
}
