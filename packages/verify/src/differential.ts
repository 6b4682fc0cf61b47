/**
 * The differential check of rehearse's models: one manifest rolled out by the built-in models (`rehearse`) and by
 * the real control plane of a local cluster (`verify` through the NodePort, a real rollout by the restart
 * annotation), each run's pod transitions reduced to the same shape (steps, surge and unavailability reached, new
 * pods Ready) and compared. Drops are reported beside the shapes, not compared: they vary from run to run.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api } from '@kubernetes/client-node';
import { bounded, type Cluster, restartDeployment } from '@zerodrop/cluster';
import type { RolloutStrategy } from '@zerodrop/core';
import {
  defaultSettings,
  type RehearsalResult,
  type RolloutShape,
  readManifest,
  rehearse,
  rolloutShape,
  stepsText,
} from '@zerodrop/rehearse';
import { answersHttp } from './target.js';
import { verify } from './verify.js';

const run = promisify(execFile);

export interface DifferentialCase {
  /** A short label for the table (`1/0 ×3`, `Recreate ×3`). */
  name: string;
  replicas: number;
  strategy: RolloutStrategy;
  minReadySeconds?: number;
  /** The preStop hook: none, the native sleep action, or `exec: [sleep, N]`. */
  preStop?: { sleep: number } | { exec: number };
  terminationGracePeriodSeconds?: number;
  /** How the new revision's pods turn Ready: at once (default), this many ms after they start, or never. */
  newPods?: { readyAfterMs: number } | 'never';
  /** Short for a rollout that never completes (default 600). */
  progressDeadlineSeconds?: number;
  /** One pod of the old revision turns not Ready before the rollout (the ReplicaSet controller's first victim). */
  oldPodNotReady?: boolean;
  /** Literal environment of the container (`GRACEFUL: '1'` runs the fixture under @zerodrop/graceful). */
  env?: Record<string, string>;
}

/**
 * The app both engines run: `command` (absolute paths: the models run it from the caller's folder), `cwd` the
 * container's workingDir on the cluster; it serves on $PORT (default 8080) and is Ready on /ready.
 */
export interface DifferentialApp {
  command: string[];
  cwd: string;
}

export interface DifferentialOptions {
  app: DifferentialApp;
  /** A scratch folder for the manifests and the readiness flag file. */
  dir: string;
  load?: { rate: number; connections: number };
  warmupMs?: number;
  settleMs?: number;
  onLog?: (line: string) => void;
}

export interface EngineRun {
  result: RehearsalResult;
  shape: RolloutShape;
  wallMs: number;
}

export interface Differential {
  case: DifferentialCase;
  model: EngineRun;
  real: EngineRun;
  /** What differs between the two shapes, in words; empty when they agree. */
  differences: string[];
}

const DEFAULT_LOAD = { rate: 100, connections: 8 };

/** The file whose presence makes the pods that start while it exists not Ready (the fixture's NOT_READY_IF). */
function flagFile(dir: string, name: string): string {
  return join(dir, `${name}.not-ready`);
}

/** The file whose creation turns one running pod not Ready (the fixture's NOT_READY_ONE). */
function oneFlagFile(dir: string, name: string): string {
  return join(dir, `${name}.one-not-ready`);
}

/** Removes the flag files of a case (and the claim of the one that was taken). */
function removeFlags(dir: string, name: string): void {
  for (const file of [flagFile(dir, name), oneFlagFile(dir, name), `${oneFlagFile(dir, name)}.taken`]) {
    rmSync(file, { force: true });
  }
}

/** The Deployment and its NodePort Service, as both engines read them. */
export function differentialManifest(c: DifferentialCase, name: string, app: DifferentialApp, dir: string): string {
  const preStop =
    c.preStop === undefined
      ? ''
      : 'sleep' in c.preStop
        ? `\n          lifecycle:\n            preStop:\n              sleep: {seconds: ${c.preStop.sleep}}`
        : `\n          lifecycle:\n            preStop:\n              exec: {command: [sleep, "${c.preStop.exec}"]}`;
  const env = Object.entries(c.env ?? {}).map(([k, v]) => `{name: ${k}, value: ${JSON.stringify(v)}}`);
  env.push(`{name: NOT_READY_IF, value: ${JSON.stringify(flagFile(dir, name))}}`);
  env.push(`{name: NOT_READY_ONE, value: ${JSON.stringify(oneFlagFile(dir, name))}}`);
  if (c.newPods !== undefined && c.newPods !== 'never') {
    env.push(`{name: NOT_READY_FOR_MS, value: "${c.newPods.readyAfterMs}"}`);
  }
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: ${c.replicas}
  minReadySeconds: ${c.minReadySeconds ?? 0}
  progressDeadlineSeconds: ${c.progressDeadlineSeconds ?? 600}
  selector:
    matchLabels: {app: ${name}}
  strategy: ${JSON.stringify(c.strategy)}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: ${c.terminationGracePeriodSeconds ?? 30}
      containers:
        - name: web
          image: example.com/web:1
          command: ${JSON.stringify(app.command)}
          workingDir: ${JSON.stringify(app.cwd)}
          ports: [{name: http, containerPort: 8080}]
          env:
${env.map((e) => `            - ${e}`).join('\n')}
          readinessProbe:
            httpGet: {path: /ready, port: http}
            periodSeconds: 1
            failureThreshold: 1${preStop}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: default
spec:
  type: NodePort
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: http}]
`;
}

/** Writes the case's manifest into the scratch folder; returns its path. */
function writeManifest(c: DifferentialCase, name: string, options: DifferentialOptions): string {
  const file = join(options.dir, `${name}.yaml`);
  writeFileSync(file, differentialManifest(c, name, options.app, options.dir));
  return file;
}

/** Holds the new revision back (when the case says so) from now on. */
function holdNewPods(c: DifferentialCase, name: string, dir: string): void {
  if (c.newPods !== undefined) writeFileSync(flagFile(dir, name), '');
}

/** Turns one running pod not Ready (when the case says so). */
function failOnePod(c: DifferentialCase, name: string, dir: string): void {
  if (c.oldPodNotReady) writeFileSync(oneFlagFile(dir, name), '');
}

/** The case rehearsed with the built-in models, the manifest read as `zerodrop rehearse --manifest` reads it. */
export async function runModels(c: DifferentialCase, name: string, options: DifferentialOptions): Promise<EngineRun> {
  const file = writeManifest(c, name, options);
  const m = readManifest(file);
  const settings = defaultSettings(options.app.command, m.profile, {
    replicas: m.replicas,
    rollout: m.rollout,
    minReadySeconds: m.minReadySeconds,
    progressDeadlineSeconds: m.progressDeadlineSeconds,
    pod: m.pod,
    env: m.env,
    manifest: file,
    load: { ...defaultSettings([], m.profile).load, ...(options.load ?? DEFAULT_LOAD) },
    warmupMs: options.warmupMs ?? 2000,
    settleMs: options.settleMs ?? 2000,
    allowUncleanExit: true,
  });
  const began = performance.now();
  try {
    const result = await rehearse(settings, {
      // The old revision is up once the warm-up begins: the pods started from then on are the new ones.
      // One old pod turns not Ready during the warm-up (its probe runs every second).
      onEvent: (_at, what) => {
        if (what !== 'phase: warmup') return;
        holdNewPods(c, name, options.dir);
        failOnePod(c, name, options.dir);
      },
    });
    return { result, shape: rolloutShape(result), wallMs: performance.now() - began };
  } finally {
    removeFlags(options.dir, name);
  }
}

/** The case on the cluster: applied, settled, then a real rollout measured by `verify` through the NodePort. */
export async function runCluster(
  c: DifferentialCase,
  name: string,
  cluster: Cluster,
  options: DifferentialOptions,
): Promise<EngineRun> {
  const file = writeManifest(c, name, options);
  const kubectl = (...args: string[]) =>
    run(cluster.kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], { timeout: 300_000 });
  await kubectl('apply', '-f', file);
  try {
    await kubectl('rollout', 'status', `deployment/${name}`, '--timeout=180s');
    const url = await cluster.nodePortUrl(name);
    // The kube-proxy model learns the endpoints after its propagation delay (at most 2 s).
    await waitForAnswer(url, 30_000);
    holdNewPods(c, name, options.dir);
    if (c.oldPodNotReady) {
      failOnePod(c, name, options.dir);
      await waitForReadyReplicas(cluster, name, c.replicas - 1, 30_000);
    }
    const began = performance.now();
    const kc = cluster.kubeConfig();
    let restarting: Promise<unknown> | undefined;
    const result = await verify(
      {
        deployment: name,
        namespace: 'default',
        kubeconfig: cluster.kubeconfigPath,
        url,
        // A Deployment with a pod not Ready is not settled, which verify's own restart refuses: verify waits for a
        // rollout (taking it as under way), and the restart comes as its rollout phase begins.
        trigger: { kind: c.oldPodNotReady ? 'none' : 'restart' },
        load: { ...(options.load ?? DEFAULT_LOAD), timeoutMs: 5000 },
        timeoutSeconds: (c.progressDeadlineSeconds ?? 600) + 120,
        warmupMs: options.warmupMs ?? 2000,
        settleMs: options.settleMs ?? 2000,
      },
      {
        onEvent: (_at, what) => {
          if (c.oldPodNotReady && what === 'phase: rollout' && !restarting) {
            restarting = bounded(restartDeployment(kc, 'default', name), `restarting ${name}`);
          }
        },
      },
    );
    await restarting;
    return { result, shape: rolloutShape(result), wallMs: performance.now() - began };
  } finally {
    removeFlags(options.dir, name);
    await kubectl('delete', '-f', file, '--wait=true', '--timeout=120s').catch((error: Error) =>
      options.onLog?.(`could not delete ${name}: ${error.message}`),
    );
  }
}

/** Resolves once the Deployment reports this many Ready replicas. */
async function waitForReadyReplicas(cluster: Cluster, name: string, ready: number, timeoutMs: number): Promise<void> {
  const apps = cluster.kubeConfig().makeApiClient(AppsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A read without an answer is read again, within the deadline.
    const d = await bounded(apps.readNamespacedDeployment({ name, namespace: 'default' }), `reading ${name}`).catch(
      () => undefined,
    );
    if ((d?.status?.readyReplicas ?? 0) === ready) return;
    if (Date.now() > deadline) throw new Error(`deployment ${name} did not reach ${ready} Ready replicas`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resolves once the URL answers at all (a refused connection means nothing routes there yet). */
async function waitForAnswer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answersHttp(url, 2000)) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What differs between two shapes, in words. */
export function shapeDifferences(model: RolloutShape, real: RolloutShape): string[] {
  const out: string[] = [];
  const m = stepsText(model.steps);
  const r = stepsText(real.steps);
  if (m !== r) out.push(`steps: model ${m}; real ${r}`);
  if (model.maxSurge !== real.maxSurge) out.push(`max surge: model ${model.maxSurge}, real ${real.maxSurge}`);
  if (model.maxUnavailable !== real.maxUnavailable) {
    out.push(`max unavailable: model ${model.maxUnavailable}, real ${real.maxUnavailable}`);
  }
  if (model.newReady !== real.newReady) out.push(`new pods Ready: model ${model.newReady}, real ${real.newReady}`);
  return out;
}

/** Runs one case on both engines (models first, so the cluster's run never overlaps it) and compares them. */
export async function differential(
  c: DifferentialCase,
  name: string,
  cluster: Cluster,
  options: DifferentialOptions,
): Promise<Differential> {
  options.onLog?.(`${c.name}: built-in models`);
  const model = await runModels(c, name, options);
  options.onLog?.(`${c.name}: real control plane`);
  const real = await runCluster(c, name, cluster, options);
  return { case: c, model, real, differences: shapeDifferences(model.shape, real.shape) };
}
