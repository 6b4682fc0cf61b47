import { recordRouting as addRouting, attributeFailures, type RoutingChange } from './attribution.js';
import { epochMs, sleep } from './clock.js';
import { ExternalLoadBalancer } from './consumers/external-lb.js';
import { L4Proxy } from './consumers/l4.js';
import { L7Proxy } from './consumers/l7.js';
import { Containment, type ContainmentOptions } from './containment.js';
import {
  type DeploymentStatus,
  deploymentStatus,
  isComplete,
  isProgressing,
  type ReplicaSetSpecs,
  type Revision,
  reconcileReplicaSet,
  syncDeployment,
} from './controller.js';
import { type Diagnosis, diagnoseCrashLoop, diagnoseExit, formatDiagnosis, quotedOutput } from './diagnosis.js';
import { consumerDelay, DelayedEndpoints, EndpointSlice } from './endpoints.js';
import { ReplicaInspector } from './inspector.js';
import { Pod } from './kubelet.js';
import { LoadGenerator } from './load.js';
import { PortPool } from './ports.js';
import type { ProcessExit, SpawnError } from './process.js';
import { Recorder } from './recorder.js';
import { type Phase, type PodRecord, RESULT_VERSION, type RehearsalResult } from './result.js';
import { describePreStop, type RehearsalSettings, scaledMs } from './settings.js';
import { uncleanExits } from './verdict.js';

/** A live snapshot for the progress line. */
export interface Progress {
  phase: Phase | 'starting' | 'stopping';
  elapsedMs: number;
  pods: { ready: number; terminating: number; total: number };
  requestsPerSecond: number;
  total: number;
  failed: number;
  /** What the rehearsal waits for, when pods are not Ready yet (`old-1 not listening on $PORT yet (4 s)`). */
  waiting: string[];
}

export interface RehearseHooks {
  /** Aborting stops the load, SIGKILLs every replica and returns a partial result. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  onEvent?: (atMs: number, what: string) => void;
  onOutput?: (pod: string, line: string) => void;
  /** How replicas are contained (tests turn cgroups or the PID namespace off to exercise the fallbacks). */
  containment?: ContainmentOptions;
}

const LOOP_MS = 20;
const EVENTS_KEPT = 500;
/** How often the replicas that are not Ready yet are looked at through /proc. */
const INSPECT_MS = 1000;
/** Output lines a diagnosis looks through for a known error. */
const DIAGNOSIS_LINES = 40;
/** Output lines kept in the result for a pod that ended badly. */
const OUTPUT_KEPT = 8;

/**
 * Rehearses one rolling update: R old pods of the command behind the profile's front consumer, load, the
 * Deployment controller replacing them with new pods (the kubelet and the consumers in the loop), a settle period,
 * and the verdict on every request. Never throws for a broken app: the result's `outcome` says what went wrong.
 */
export async function rehearse(settings: RehearsalSettings, hooks: RehearseHooks = {}): Promise<RehearsalResult> {
  const origin = epochMs();
  const clock = () => epochMs() - origin;
  const startedAt = new Date().toISOString();
  const events: { atMs: number; what: string }[] = [];
  const event = (what: string) => {
    const atMs = Math.round(clock());
    if (events.length < EVENTS_KEPT) events.push({ atMs, what });
    hooks.onEvent?.(atMs, what);
  };
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  if (hooks.signal?.aborted) stop.abort();
  let failure: { message: string; diagnosis?: Diagnosis } | undefined;
  const fail = (reason: string | Diagnosis) => {
    if (!failure) {
      failure =
        typeof reason === 'string' ? { message: reason } : { message: formatDiagnosis(reason), diagnosis: reason };
      event(`stopping: ${failure.message.split('\n')[0]}`);
    }
    stop.abort();
  };
  const containment = new Containment(hooks.containment);
  const portPool = new PortPool();
  try {
    return await run();
  } finally {
    containment.dispose();
    portPool.release();
    hooks.signal?.removeEventListener('abort', onAbort);
  }

  async function run(): Promise<RehearsalResult> {
    // Endpoints and the consumer the load goes through (the last one of the profile: the one facing clients).
    const slice = new EndpointSlice();
    const front = settings.profile.consumers[settings.profile.consumers.length - 1];
    if (!front) throw new Error(`profile ${settings.profile.id} has no consumer`);
    const view = new DelayedEndpoints(slice, consumerDelay(front, settings.propagation, settings.speed));
    let l4: L4Proxy | undefined;
    let l7: L7Proxy | undefined;
    let lb: ExternalLoadBalancer | undefined;
    if (front.kind === 'l4') l4 = new L4Proxy(view);
    else if (front.kind === 'l7') l7 = new L7Proxy(view);
    else {
      const hc = settings.profile.healthCheck;
      if (!hc) throw new Error(`profile ${settings.profile.id} has an external load balancer without a health check`);
      const readinessPath =
        settings.pod.readiness?.handler?.type === 'httpGet' ? settings.pod.readiness.handler.path : undefined;
      lb = new ExternalLoadBalancer(view, {
        healthCheck: hc,
        path: hc.path ?? readinessPath ?? '/',
        speed: settings.speed,
      });
    }
    const consumer = l4 ?? l7 ?? (lb as ExternalLoadBalancer);
    const entryPort = await consumer.listen();
    let routes = '';
    view.on('change', () => {
      const ready = view.endpoints.filter((e) => e.ready).map((e) => e.pod);
      const fallback = view.endpoints.filter((e) => e.serving && e.terminating).map((e) => e.pod);
      const now = ready.length
        ? ready.join(', ')
        : `(no ready endpoint; serving-terminating: ${fallback.join(', ') || 'none'})`;
      if (now !== routes) event(`${front.id} learns the endpoints: ready ${now}`);
      routes = now;
    });
    // What the consumer in front of the load routes new requests to, over time: the attribution's timeline.
    const routing: RoutingChange[] = [];
    const recordRouting = () => addRouting(routing, Math.round(clock()), consumer.routable());
    view.on('change', recordRouting);

    // Pods.
    const pods = new Map<string, Pod>();
    const counters: Record<Revision, number> = { old: 0, new: 0 };
    const ports: number[] = [];
    const refillPorts = async (n: number) => {
      while (ports.length < n) ports.push(await portPool.take());
    };
    await refillPorts(settings.replicas + settings.rollout.maxSurge + 2);
    const publish = () => slice.update(pods.values());
    const gate = lb && settings.readinessGate ? (name: string) => () => lb.isHealthy(name) : undefined;
    lb?.on('health', (name: string, healthy: boolean) => {
      event(`${front.id} health check: ${name} ${healthy ? 'healthy' : 'unhealthy'}`);
      pods.get(name)?.refreshReady();
      recordRouting();
    });
    const createPod = (revision: Revision): boolean => {
      const port = ports.shift();
      if (port === undefined) {
        void refillPorts(2);
        return false;
      }
      void refillPorts(2);
      const name = `${revision}-${++counters[revision]}`;
      const command = revision === 'new' && settings.newCommand ? settings.newCommand : settings.command;
      const pod = new Pod({
        name,
        revision,
        port,
        command,
        env: {
          ...settings.env,
          ...(revision === 'new' ? settings.newEnv : {}),
          ZERODROP_SPEED: String(settings.speed),
          ZERODROP_POD: name,
          ZERODROP_REVISION: revision,
        },
        settings: settings.pod,
        speed: settings.speed,
        clock,
        containment,
        ...(gate ? { gate: gate(name) } : {}),
        ...(hooks.onOutput ? { onOutput: (line: string) => hooks.onOutput?.(name, line) } : {}),
      });
      pods.set(name, pod);
      let logged = 1; // 'created' is logged below
      pod.on('change', () => {
        publish();
        for (; logged < pod.events.length; logged++) {
          const e = pod.events[logged];
          if (e) event(`${name}: ${e.state}${e.detail ? ` (${e.detail})` : ''}`);
        }
      });
      pod.on('fatal', (error: SpawnError) => {
        fail({
          code: 'command-not-found',
          pod: name,
          message:
            error.code === 'ENOENT'
              ? `command not found: ${command[0]} (check the command after --, and PATH)`
              : `cannot start ${command.join(' ')}: ${error.message}`,
        });
      });
      pod.on('crashed', (exit: ProcessExit) => {
        fail(diagnoseExit(name, port, exit, pod.output(DIAGNOSIS_LINES), pod.readySinceMs !== undefined));
      });
      pod.on('crash-loop', (reason: string) => {
        fail(diagnoseCrashLoop(name, pod.probeRestarts, reason, pod.output(DIAGNOSIS_LINES)));
      });
      event(`${name}: created on port ${port}`);
      pod.start();
      return true;
    };

    const deployment = {
      replicas: settings.replicas,
      rollout: settings.rollout,
      minReadyMs: scaledMs(settings.minReadySeconds, settings.speed),
    };
    let specs: ReplicaSetSpecs = { old: settings.replicas, new: 0 };
    const views = () => [...pods.values()].map((p) => p.view());
    const reconcile = () => {
      for (const revision of ['old', 'new'] as const) {
        const actions = reconcileReplicaSet(revision, specs[revision], views(), clock(), settings.speed);
        for (let i = 0; i < actions.create; i++) if (!createPod(revision)) break;
        for (const name of actions.delete) {
          const pod = pods.get(name);
          if (pod) {
            event(`${name}: deleted by the ReplicaSet controller`);
            void pod.delete();
          }
        }
      }
    };

    // Load and the recorder.
    const recorder = new Recorder(origin, (record) => {
      const connection = l4 && record.clientPort ? l4.lookup(record.clientPort, record.end) : undefined;
      const name = record.pod ?? connection?.pod;
      const killed = name ? pods.get(name)?.killedAtMs : undefined;
      return {
        ...(connection ? { connection } : {}),
        ...(killed !== undefined ? { podKilledAt: origin + killed } : {}),
      };
    });
    const load = new LoadGenerator(entryPort, settings.load, (record) => recorder.add(record));
    let phase: Progress['phase'] = 'starting';
    const phases: { name: Phase; startMs: number; endMs: number }[] = [];
    const enter = (name: Phase) => {
      const at = clock();
      const previous = phases[phases.length - 1];
      if (previous) previous.endMs = Math.round(at);
      phases.push({ name, startMs: Math.round(at), endMs: Math.round(at) });
      recorder.enterPhase(name, origin + at);
      phase = name;
      event(`phase: ${name}`);
    };
    let lastTotal = 0;
    let lastAt = performance.now();
    let rps = 0;
    let waiting: string[] = [];
    const inspector = new ReplicaInspector(clock);
    const startup = settings.pod.startup;
    const allowanceMs = startup
      ? scaledMs(startup.initialDelaySeconds + startup.failureThreshold * startup.periodSeconds, settings.speed)
      : 0;
    let inspecting = false;
    const inspectTimer = setInterval(() => {
      if (inspecting || stop.signal.aborted) return;
      inspecting = true;
      inspector
        .inspect([...pods.values()], allowanceMs)
        .then(({ diagnosis, waiting: now }) => {
          waiting = now;
          if (diagnosis && !stop.signal.aborted) fail(diagnosis);
        })
        .finally(() => {
          inspecting = false;
        });
    }, INSPECT_MS);
    const progressTimer = setInterval(() => {
      const now = performance.now();
      rps = ((recorder.total - lastTotal) * 1000) / Math.max(1, now - lastAt);
      lastTotal = recorder.total;
      lastAt = now;
      const all = [...pods.values()].filter((p) => !p.gone);
      hooks.onProgress?.({
        phase,
        elapsedMs: clock(),
        pods: {
          ready: all.filter((p) => p.ready).length,
          terminating: all.filter((p) => p.terminating).length,
          total: all.length,
        },
        requestsPerSecond: Math.round(rps),
        total: recorder.total,
        failed: recorder.failed,
        waiting: all.some((p) => !p.ready && !p.terminating) ? waiting : [],
      });
    }, 250);

    const deadlineMs = scaledMs(settings.progressDeadlineSeconds, settings.speed);
    let loadStarted = false;
    let rolloutCompleted = false;
    let firstNewAt: number | undefined;
    let lastOldGoneAt: number | undefined;
    try {
      // 1. The old revision comes up and every consumer learns of it.
      event(`starting ${settings.replicas} pod(s) of: ${settings.command.join(' ')}`);
      reconcile();
      const upSince = clock();
      while (!stop.signal.aborted) {
        const status = deploymentStatus(views(), deployment.minReadyMs, clock());
        const routable = lb
          ? [...pods.values()].filter((p) => lb.isHealthy(p.name)).length
          : view.endpoints.filter((e) => e.ready).length;
        if (status.availableReplicas >= settings.replicas && routable >= settings.replicas) break;
        if (clock() - upSince > deadlineMs) {
          fail(
            notReadyMessage(
              `${status.readyReplicas}/${settings.replicas} pod(s) Ready after progressDeadlineSeconds ${settings.progressDeadlineSeconds}s (${(deadlineMs / 1000).toFixed(1)}s at --speed ${settings.speed})`,
              pods,
            ),
          );
          break;
        }
        reconcile();
        await sleep(LOOP_MS, stop.signal);
      }

      // 2. Warm-up load.
      if (!stop.signal.aborted) {
        enter('warmup');
        load.start();
        loadStarted = true;
        await sleep(settings.warmupMs, stop.signal);
      }

      // 3. The rollout: the Deployment and ReplicaSet controllers in a loop.
      if (!stop.signal.aborted) {
        enter('rollout');
        let previous: DeploymentStatus = deploymentStatus(views(), deployment.minReadyMs, clock());
        let lastProgressAt = clock();
        let lastReason = '';
        while (!stop.signal.aborted) {
          const now = clock();
          const result = syncDeployment(deployment, specs, views(), now);
          if (result.action === 'scale-up' || result.action === 'scale-down') event(`deployment: ${result.reason}`);
          else if (result.reason !== lastReason && result.action === 'complete') event(`deployment: ${result.reason}`);
          lastReason = result.reason;
          specs = result.specs;
          reconcile();
          if (firstNewAt === undefined && counters.new > 0) firstNewAt = now;
          const status = deploymentStatus(views(), deployment.minReadyMs, now);
          if (isProgressing(previous, status)) lastProgressAt = now;
          previous = status;
          const oldLeft = [...pods.values()].some((p) => p.revision === 'old' && !p.gone);
          if (isComplete(deployment, status)) rolloutCompleted = true;
          if (rolloutCompleted && !oldLeft) {
            lastOldGoneAt = now;
            break;
          }
          if (!rolloutCompleted && now - lastProgressAt > deadlineMs) {
            fail(
              notReadyMessage(
                `ProgressDeadlineExceeded: the rollout made no progress for progressDeadlineSeconds ${settings.progressDeadlineSeconds}s (${status.availableReplicas} available, ${status.updatedReplicas}/${settings.replicas} updated)`,
                new Map([...pods].filter(([, p]) => p.revision === 'new')),
              ),
            );
            break;
          }
          await sleep(LOOP_MS, stop.signal);
        }
      }

      // 4. Settle: the new pods serve alone for a while.
      if (!stop.signal.aborted) {
        enter('settle');
        await sleep(settings.settleMs, stop.signal);
      }
    } finally {
      phase = 'stopping';
      const aborted = stop.signal.aborted;
      if (loadStarted) {
        if (aborted) load.abort();
        else await load.stop();
      }
      const last = phases[phases.length - 1];
      if (last) last.endMs = Math.round(clock());
      clearInterval(progressTimer);
      clearInterval(inspectTimer);
      await Promise.all([...pods.values()].map((p) => p.abort()));
      view.close();
      await consumer.close();
    }

    const durationMs = Math.round(clock());
    const summary = recorder.summarize(durationMs);
    const podRecords: PodRecord[] = [...pods.values()].map((p) => ({
      name: p.name,
      revision: p.revision,
      port: p.port,
      ...(p.pid !== undefined ? { pid: p.pid } : {}),
      events: p.events,
      ...(p.lastExit ? { exitCode: p.lastExit.code, signal: p.lastExit.signal } : {}),
      requests: recorder.byPod.get(p.name) ?? { ok: 0, failed: 0 },
    }));
    // The output of pods that ended badly, read before the containment removes the files.
    const unclean = new Set(uncleanExits(podRecords).map((u) => u.pod));
    for (const record of podRecords) {
      const pod = pods.get(record.name);
      if (pod && (unclean.has(record.name) || failure?.diagnosis?.pod === record.name)) {
        const output = quotedOutput(pod.output(DIAGNOSIS_LINES), OUTPUT_KEPT);
        if (output.length > 0) record.output = output;
      }
    }
    const attribution = attributeFailures({
      failures: recorder.timedFailures,
      pods: podRecords,
      routing,
      consumer: front.id,
    });
    return {
      version: RESULT_VERSION,
      startedAt,
      durationMs,
      settings: {
        command: settings.command,
        ...(settings.manifest ? { manifest: settings.manifest } : {}),
        profile: settings.profile.id,
        replicas: settings.replicas,
        rate: settings.load.rate,
        connections: settings.load.connections,
        speed: settings.speed,
        maxSurge: settings.rollout.maxSurge,
        maxUnavailable: settings.rollout.maxUnavailable,
        preStop: describePreStop(settings.pod.preStop),
        gracePeriodSeconds: settings.pod.gracePeriodSeconds,
        ...(settings.allowUncleanExit ? { allowUncleanExit: true } : {}),
      },
      isolation: containment.describe(),
      requests: summary.requests,
      rollout: {
        durationMs:
          firstNewAt !== undefined && lastOldGoneAt !== undefined ? Math.round(lastOldGoneAt - firstNewAt) : 0,
        completed: rolloutCompleted,
        phases,
      },
      pods: podRecords,
      timeline: summary.timeline,
      failures: recorder.failures,
      attribution: { groups: attribution.groups },
      routing,
      outcome: failure
        ? { status: 'error', message: failure.message, ...(failure.diagnosis ? { diagnosis: failure.diagnosis } : {}) }
        : stop.signal.aborted
          ? { status: 'aborted', message: 'interrupted: the numbers cover the rehearsal up to the interruption' }
          : { status: 'completed' },
      events,
    };
  }
}

function notReadyMessage(what: string, pods: Map<string, Pod>): string {
  const lines = [`the app never became ready: ${what}.`];
  for (const pod of pods.values()) {
    const exit = pod.lastExit ? `, last exit ${pod.lastExit.signal ?? `code ${pod.lastExit.code}`}` : '';
    lines.push(`  ${pod.name} (port ${pod.port}): ${pod.restarts} restart(s)${exit}`);
    const output = quotedOutput(pod.output(5), 5);
    for (const line of output) lines.push(`    | ${line}`);
    if (output.length === 0) lines.push('    (printed nothing)');
  }
  lines.push(
    'Check that the app listens on the port in $PORT and that its readiness endpoint answers 200 (see --ready-path).',
  );
  return lines.join('\n');
}
