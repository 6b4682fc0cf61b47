/**
 * `zerodrop rehearse --control-plane kubernetes`: a rehearsal on the real control plane. The workload goes to a
 * local cluster (@zerodrop/cluster: started for the run in a temporary folder, or a running one given), the node
 * agent runs the replicas from the app command, and `verify` measures the real rollout (a pod template change, as
 * `kubectl rollout restart`) or node drain (the eviction API, PodDisruptionBudgets respected) through the profile's
 * consumer: the cluster's kube-proxy model on the NodePort, or rehearse's ingress / load-balancer model fed from a
 * watch of the real EndpointSlices.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  ApiTimeoutError,
  bounded,
  type Cluster,
  ClusterError,
  clusterStatus,
  clusterUnavailableReason,
  KUBERNETES_VERSION,
  rolloutState,
  selectorOf,
  setUnschedulable,
  startCluster,
  statusMessageOf,
  stopCluster,
  watchServiceEndpoints,
} from '@zerodrop/cluster';
import {
  consumerDelay,
  DelayedEndpoints,
  describePreStop,
  ExternalLoadBalancer,
  epochMs,
  L7Proxy,
  RESULT_VERSION,
  Recorder,
  type RehearsalResult,
  type RoutingChange,
  recordRouting,
  sleep,
} from '@zerodrop/rehearse';
import { answersHttp } from '../target.js';
import { type VerifyHooks, verify } from '../verify.js';
import { LOAD_BALANCER_GATE, type WorkloadInput, type WorkloadObjects, workloadObjects } from './objects.js';

export interface ClusterRehearsalOptions extends WorkloadInput {
  /** A running cluster's folder; without it one is started for the run in a temporary folder and stopped after. */
  clusterDir?: string;
  /** Rehearse a node drain instead of a rollout. */
  drain?: boolean;
}

export interface ClusterRehearsalHooks extends VerifyHooks {
  /** What happens before the measurement: the cluster's start, the apply, the wait for the pods. */
  onLog?: (line: string) => void;
}

/** Why a rehearsal on the real control plane stopped before measuring; becomes the result's error outcome. */
class NotRehearsed extends Error {}

const POLL_MS = 250;
/** How long the consumer in front of the load may take to route to every pod once they are Ready. */
const ROUTE_TIMEOUT_MS = 60_000;
/** Restarts of a container before the start counts as broken (the node agent backs off 10 s, 20 s, ...). */
const RESTARTS_TOLERATED = 2;
const LOG_LINES = 6;

/** Runs kubectl of the cluster with `input` on stdin; rejects with its stderr. */
function kubectl(cluster: Cluster, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cluster.kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err.trim() || `exit ${code}`))));
    child.stdin.end(input ?? '');
  });
}

/** The last lines a container printed, from the node agent's log folder. */
function containerOutput(cluster: Cluster, namespace: string, pod: string, container: string): string[] {
  const file = join(cluster.layout.logs, 'pods', `${namespace}_${pod}_${container}.log`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-LOG_LINES);
}

/** Why a pod is not serving, when it is broken beyond waiting: a container that cannot start or keeps crashing. */
function brokenPod(pod: V1Pod): string | undefined {
  for (const status of pod.status?.containerStatuses ?? []) {
    const waiting = status.state?.waiting;
    if (waiting?.reason === 'CreateContainerError' || waiting?.reason === 'CreateContainerConfigError') {
      return `${waiting.reason}: ${waiting.message ?? ''}`;
    }
    if (status.restartCount >= RESTARTS_TOLERATED) {
      const last = status.lastState?.terminated;
      return `restarted ${status.restartCount} times${last ? ` (last exit: ${last.signal ? `signal ${last.signal}` : `code ${last.exitCode}`}${last.reason ? `, ${last.reason}` : ''})` : ''}`;
    }
  }
  return undefined;
}

function podLine(cluster: Cluster, pod: V1Pod, why: string): string[] {
  const name = pod.metadata?.name ?? '';
  const container = pod.spec?.containers[0]?.name ?? '';
  const output = containerOutput(cluster, pod.metadata?.namespace ?? '', name, container);
  return [`  ${name}: ${why}`, ...(output.length ? output.map((l) => `    | ${l}`) : ['    (printed nothing)'])];
}

/** What a pod that is not Ready is doing, in one phrase. */
function podState(pod: V1Pod): string {
  if (!pod.spec?.nodeName) return 'not scheduled';
  const status = pod.status?.containerStatuses?.[0];
  if (!status) return pod.status?.phase ?? 'Pending';
  if (status.state?.waiting) return `waiting (${status.state.waiting.reason ?? ''})`;
  if (status.state?.running) return `running for ${status.restartCount} restart(s), not Ready`;
  return `terminated (${status.state?.terminated?.reason ?? ''})`;
}

/**
 * Rehearses the rollout (or drain) on the real control plane. Never throws for the user's or the cluster's reasons:
 * the result's outcome says what could not run.
 */
export async function rehearseOnCluster(
  options: ClusterRehearsalOptions,
  hooks: ClusterRehearsalHooks = {},
): Promise<RehearsalResult> {
  const origin = epochMs();
  const startedAt = new Date().toISOString();
  const log = (line: string) => hooks.onLog?.(line);
  const signal = hooks.signal ?? new AbortController().signal;
  const { settings } = options;
  const namespace = `zerodrop-rehearse-${Math.random().toString(16).slice(2, 8)}`;
  let temporary: string | undefined;
  let cluster: Cluster | undefined;
  let objects: WorkloadObjects | undefined;
  let front: Front | undefined;
  let result: RehearsalResult | undefined;
  let nodes = 1;
  try {
    const unavailable = clusterUnavailableReason();
    if (unavailable) {
      throw new NotRehearsed(
        `--control-plane kubernetes runs a local cluster, and none can run here: ${unavailable}. The built-in models need none: leave out --control-plane.`,
      );
    }
    try {
      objects = workloadObjects(options, namespace);
    } catch (error) {
      throw new NotRehearsed(`${settings.manifest ?? 'the workload'}: ${(error as Error).message}`);
    }
    for (const note of objects.notes) log(`note: ${note}`);
    if (options.clusterDir) {
      const status = await clusterStatus(options.clusterDir);
      if (!status.running) {
        throw new NotRehearsed(
          `no running cluster in ${options.clusterDir}: start one with \`zerodrop cluster start --dir ${options.clusterDir}${options.drain ? ' --nodes 2' : ''}\`, or leave out --cluster to have one started for the run`,
        );
      }
      nodes = status.nodes.length;
      if (options.drain && status.nodes.length < 2) {
        throw new NotRehearsed(
          `the cluster in ${options.clusterDir} has one node: a drain needs a second one for the evicted pods' replacements. Start it with \`zerodrop cluster start --dir ${options.clusterDir} --nodes 2\` (after \`zerodrop cluster stop --dir ${options.clusterDir}\`), or leave out --cluster`,
        );
      }
      cluster = await startCluster({ dir: options.clusterDir });
    } else {
      temporary = mkdtempSync(join(tmpdir(), 'zerodrop-rehearse-'));
      nodes = options.drain ? 2 : 1;
      log(`starting a local cluster (${nodes} node(s)) in ${temporary}`);
      cluster = await startCluster({ dir: join(temporary, 'cluster'), nodes, onLog: log, signal, owner: process.pid });
    }
    if (signal.aborted) throw new NotRehearsed('interrupted');
    const kc = cluster.kubeConfig();
    const nodeNames = cluster.state.nodes;
    const drainNode = nodeNames[0] as string;
    await applyWorkload(cluster, kc, namespace, objects, options.drain ? nodeNames.slice(1) : []);
    front = await startFront(cluster, kc, namespace, objects, options);
    await waitUntilAvailable(cluster, kc, namespace, objects, signal, log);
    // Every pod on the first node, the others free again for the replacements.
    if (options.drain) {
      for (const node of nodeNames.slice(1)) await settled(setUnschedulable(kc, node, false), `uncordoning ${node}`);
    }
    if (signal.aborted) throw new NotRehearsed('interrupted');
    const url = await front.serving();
    if (signal.aborted) throw new NotRehearsed('interrupted');
    log(`${options.drain ? `draining ${drainNode}` : 'rolling out'} under load through ${url}`);
    result = await verify(
      {
        deployment: objects.deployment.metadata.name,
        namespace,
        kubeconfig: cluster.kubeconfigPath,
        url,
        path: settings.load.path,
        trigger: options.drain ? { kind: 'drain', node: drainNode } : { kind: 'restart' },
        load: settings.load,
        timeoutSeconds: settings.progressDeadlineSeconds + 60,
        warmupMs: settings.warmupMs,
        settleMs: settings.settleMs,
        connectionsReachPods: settings.profile.consumers.at(-1)?.kind === 'l4',
        ...(front.routing ? { consumerRouting: front.routing } : {}),
      },
      hooks,
    );
  } catch (error) {
    if (error instanceof TypeError || error instanceof ReferenceError) throw error;
    const message =
      error instanceof NotRehearsed
        ? error.message
        : error instanceof ClusterError
          ? `the local cluster could not start: ${error.message}`
          : `talking to the local cluster: ${statusMessageOf(error)}`;
    result =
      signal.aborted || message === 'interrupted'
        ? failedResult(origin, startedAt, 'interrupted before the load started', 'aborted')
        : failedResult(origin, startedAt, message);
  } finally {
    await front?.close();
    if (temporary) {
      log('stopping the local cluster');
      await stopCluster(join(temporary, 'cluster'));
      rmSync(temporary, { recursive: true, force: true });
    } else if (cluster) {
      await kubectl(cluster, ['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    }
  }
  return finish(result);

  function finish(verified: RehearsalResult): RehearsalResult {
    // The Deployment the cluster has was made here: lint speaks of the manifest (the CLI adds it) or of nothing.
    const { lint: _lint, ...measured } = verified;
    const notes = [...(objects?.notes ?? []), ...(measured.verify?.notes ?? [])];
    const { allowUncleanExit: _, ...common } = measured.settings;
    return {
      ...measured,
      settings: {
        ...common,
        command: settings.command,
        ...(settings.manifest ? { manifest: settings.manifest } : {}),
        profile: settings.profile.id,
        speed: 1,
        rate: settings.load.rate,
        connections: settings.load.connections,
        ...(settings.allowUncleanExit ? { allowUncleanExit: true } : {}),
      },
      isolation: 'the node agent of the local cluster: a network namespace and IP per pod, a watchdog per container',
      ...(measured.verify ? { verify: { ...measured.verify, ...(notes.length ? { notes } : {}) } } : {}),
      controlPlane: {
        kind: 'kubernetes',
        version: cluster?.state.kubernetesVersion ?? KUBERNETES_VERSION,
        cluster: cluster?.dir ?? options.clusterDir ?? '',
        temporary: temporary !== undefined,
        nodes,
      },
    };
  }

  function failedResult(
    at: number,
    began: string,
    message: string,
    status: 'error' | 'aborted' = 'error',
  ): RehearsalResult {
    const summary = new Recorder(at, () => ({})).summarize(Math.round(epochMs() - at));
    return {
      version: RESULT_VERSION,
      startedAt: began,
      durationMs: Math.round(epochMs() - at),
      settings: {
        command: settings.command,
        profile: settings.profile.id,
        replicas: settings.replicas,
        rate: settings.load.rate,
        connections: settings.load.connections,
        speed: 1,
        maxSurge: settings.rollout.maxSurge,
        maxUnavailable: settings.rollout.maxUnavailable,
        preStop: describePreStop(settings.pod.preStop),
        gracePeriodSeconds: settings.pod.gracePeriodSeconds,
      },
      requests: summary.requests,
      rollout: { durationMs: 0, completed: false, phases: [] },
      pods: [],
      timeline: summary.timeline,
      failures: [],
      outcome: { status, message },
    };
  }
}

/**
 * Creates the run's namespace and applies the objects. `cordon`: nodes kept free of the first pods (so that a drain
 * of the first node has somewhere to send them), uncordoned once the pods are placed.
 */
async function applyWorkload(
  cluster: Cluster,
  kc: KubeConfig,
  namespace: string,
  objects: WorkloadObjects,
  cordon: readonly string[],
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await settled(core.createNamespace({ body: { metadata: { name: namespace } } }), `creating namespace ${namespace}`);
  // Pods are refused until the namespace's default ServiceAccount exists.
  for (let i = 0; ; i++) {
    const sa = await settled(
      core.readNamespacedServiceAccount({ name: 'default', namespace }),
      'reading the default ServiceAccount',
    ).catch(() => undefined);
    if (sa) break;
    if (i > 120) throw new NotRehearsed(`namespace ${namespace} got no default ServiceAccount within 30 s`);
    await sleep(POLL_MS);
  }
  for (const node of cordon) await settled(setUnschedulable(kc, node, true), `cordoning node ${node}`);
  const list = { apiVersion: 'v1', kind: 'List', items: [...objects.others, objects.service, objects.deployment] };
  try {
    await kubectl(cluster, ['apply', '-f', '-'], JSON.stringify(list));
  } catch (error) {
    throw new NotRehearsed(`the cluster refused the workload: ${(error as Error).message}`);
  }
}

/**
 * Waits until the Deployment is available; a container that cannot start or keeps crashing stops the wait at once,
 * with its output, and so does the progress deadline.
 */
async function waitUntilAvailable(
  cluster: Cluster,
  kc: KubeConfig,
  namespace: string,
  objects: WorkloadObjects,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const name = objects.deployment.metadata.name as string;
  const replicas = objects.deployment.spec.replicas as number;
  const deadline = performance.now() + (objects.deployment.spec.progressDeadlineSeconds as number) * 1000;
  log(`waiting for ${replicas} pod(s) of deployment ${name} to be Ready`);
  let selector: string | undefined;
  while (!signal.aborted) {
    const deployment = await settled(apps.readNamespacedDeployment({ name, namespace }), 'reading the Deployment');
    selector ??= selectorOf(deployment);
    const pods = (await settled(core.listNamespacedPod({ namespace, labelSelector: selector }), 'listing its pods'))
      .items;
    const broken = pods.flatMap((p) => {
      const why = brokenPod(p);
      return why ? podLine(cluster, p, why) : [];
    });
    if (broken.length > 0) throw new NotRehearsed(['the app cannot run on the cluster:', ...broken].join('\n'));
    const state = rolloutState(deployment);
    if (state.done && (deployment.status?.availableReplicas ?? 0) >= replicas) break;
    if (state.failed || performance.now() > deadline) {
      const unready = pods.filter((p) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True');
      throw new NotRehearsed(
        [
          `the app never became ready on the cluster: ${state.failed ?? `${deployment.status?.readyReplicas ?? 0}/${replicas} pod(s) Ready after progressDeadlineSeconds ${deployment.spec?.progressDeadlineSeconds}s`}.`,
          ...unready.flatMap((p) => podLine(cluster, p, podState(p))),
          "Check that the app listens on the container port (it is in $PORT) and that its readiness probe's endpoint answers 200.",
        ].join('\n'),
      );
    }
    await sleep(POLL_MS, signal);
  }
}

/** The consumer the load goes through: how to stop it, and what it routed to (when it runs here). */
interface Front {
  /** Resolves with the URL the load goes to once the consumer routes to every pod. */
  serving: () => Promise<string>;
  close: () => Promise<void>;
  routing?: () => readonly RoutingChange[];
}

/**
 * The profile's consumer in front of the load: the cluster's kube-proxy model on the NodePort (L4), or rehearse's
 * ingress-nginx / external load-balancer model in this process, fed from a watch of the real EndpointSlices with the
 * profile's propagation delay. Started before the pods are: an external load balancer's health check is what opens
 * their readiness gate.
 */
async function startFront(
  cluster: Cluster,
  kc: KubeConfig,
  namespace: string,
  objects: WorkloadObjects,
  options: ClusterRehearsalOptions,
): Promise<Front> {
  const { settings } = options;
  const consumer = settings.profile.consumers.at(-1);
  if (!consumer) throw new NotRehearsed(`profile ${settings.profile.id} has no consumer`);
  const replicas = objects.deployment.spec.replicas as number;
  const service = objects.service.metadata.name as string;
  if (consumer.kind === 'l4') {
    const serving = async () => {
      const url = await settled(
        cluster.nodePortUrl(service, namespace, objects.servicePort || undefined),
        `reading service ${service}`,
      );
      // The kube-proxy model learns the endpoints after its own delay: until then the NodePort refuses.
      const deadline = performance.now() + ROUTE_TIMEOUT_MS;
      while (!(await answersHttp(url, settings.load.timeoutMs))) {
        if (performance.now() > deadline) {
          throw new NotRehearsed(
            `the NodePort ${url} of service ${service} did not answer within ${ROUTE_TIMEOUT_MS / 1000} s`,
          );
        }
        await sleep(POLL_MS);
      }
      return url;
    };
    return { serving, close: async () => {} };
  }
  const watched = watchServiceEndpoints(kc, { namespace, service, port: objects.servicePort });
  const view = new DelayedEndpoints(watched.endpoints, consumerDelay(consumer, settings.propagation, 1));
  let proxy: L7Proxy | ExternalLoadBalancer;
  let gate: NodeJS.Timeout | undefined;
  if (consumer.kind === 'l7') proxy = new L7Proxy(view);
  else {
    const hc = settings.profile.healthCheck;
    if (!hc)
      throw new NotRehearsed(`profile ${settings.profile.id} has an external load balancer without a health check`);
    const readiness = settings.pod.readiness?.handler;
    const lb = new ExternalLoadBalancer(view, {
      healthCheck: hc,
      path: hc.path ?? (readiness?.type === 'httpGet' ? readiness.path : undefined) ?? '/',
      speed: 1,
    });
    proxy = lb;
    if (objects.deployment.spec.template.spec.readinessGates) gate = openGates(kc, namespace, lb);
  }
  // What it routes new requests to, over time: the attribution's timeline.
  const routing: RoutingChange[] = [];
  const record = () => recordRouting(routing, epochMs(), proxy.routable());
  view.on('change', record);
  if (proxy instanceof ExternalLoadBalancer) proxy.on('health', record);
  const close = async () => {
    if (gate) clearInterval(gate);
    await proxy.close();
    view.close();
    watched.stop();
  };
  try {
    const port = await proxy.listen();
    const serving = async () => {
      const deadline = performance.now() + ROUTE_TIMEOUT_MS;
      while (proxy.routable().length < replicas) {
        if (performance.now() > deadline) {
          throw new NotRehearsed(
            `${consumer.id} routed to ${proxy.routable().length} of ${replicas} pod(s) after ${ROUTE_TIMEOUT_MS / 1000} s`,
          );
        }
        await sleep(POLL_MS);
      }
      return `http://127.0.0.1:${port}`;
    };
    return { serving, close, routing: () => routing };
  } catch (error) {
    await close();
    throw error;
  }
}

const STRATEGIC_MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/**
 * Keeps each pod's load-balancer readiness-gate condition equal to what the load balancer's health check says, as
 * the AWS Load Balancer Controller does for its target-health gate: set on every change of health, and set again
 * every second where a write of the node agent's left it out. Returns the timer.
 */
function openGates(kc: KubeConfig, namespace: string, lb: ExternalLoadBalancer): NodeJS.Timeout {
  const core = kc.makeApiClient(CoreV1Api);
  const wanted = new Map<string, boolean>();
  const write = (pod: string, healthy: boolean) =>
    core
      .patchNamespacedPodStatus(
        {
          name: pod,
          namespace,
          body: {
            status: {
              conditions: [
                { type: LOAD_BALANCER_GATE, status: healthy ? 'True' : 'False', lastTransitionTime: new Date() },
              ],
            },
          },
        },
        STRATEGIC_MERGE_PATCH,
      )
      .catch(() => undefined);
  lb.on('health', (pod: string, healthy: boolean) => {
    wanted.set(pod, healthy);
    void write(pod, healthy);
  });
  let checking = false;
  return setInterval(() => {
    if (checking || wanted.size === 0) return;
    checking = true;
    core
      .listNamespacedPod({ namespace })
      .then((list) => {
        for (const pod of list.items) {
          const name = pod.metadata?.name ?? '';
          const healthy = wanted.get(name);
          if (healthy === undefined) continue;
          const now = pod.status?.conditions?.find((c) => c.type === LOAD_BALANCER_GATE)?.status;
          if (now !== (healthy ? 'True' : 'False')) void write(name, healthy);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  }, 1000);
}

/** The call's answer; one that gets none in time stops the run with a NotRehearsed that says which. */
function settled<T>(call: Promise<T>, what: string): Promise<T> {
  return bounded(call, what).catch((error) => {
    throw error instanceof ApiTimeoutError ? new NotRehearsed(error.message) : error;
  });
}
