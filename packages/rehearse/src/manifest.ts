import { readFileSync } from 'node:fs';
import {
  buildWorkloadSet,
  type Container,
  effectiveRollout,
  healthChecksOf,
  type LoadBalancerProfile,
  ManifestError,
  type PreStop,
  type ProfileId,
  parseManifests,
  profileOf,
  servingContainers,
  type Workload,
} from '@zerodrop/core';
import { DEFAULT_PROGRESS_DEADLINE_SECONDS, type PodSettings, type PreStopHook } from './settings.js';

/** A manifest the rehearsal cannot use: says which file, where, and what to do. */
export class ManifestInputError extends Error {
  override name = 'ManifestInputError';
}

/** What a manifest tells the rehearsal about one workload. */
export interface ManifestSettings {
  file: string;
  workload: string;
  /** The container the command after -- stands for. */
  container: string;
  replicas: number;
  rollout: ReturnType<typeof effectiveRollout>;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  pod: PodSettings;
  /** The container's literal `env` values (PORT left out: each replica gets its own). */
  env: Record<string, string>;
  profile: LoadBalancerProfile;
  /** Things the rehearsal does differently from the cluster, to print before it runs. */
  notes: string[];
}

/** The kubelet's view of a classified preStop hook; `undefined` when there is none or it cannot run here. */
export function preStopHookOf(preStop: PreStop | undefined, notes: string[]): PreStopHook | undefined {
  if (!preStop) return undefined;
  switch (preStop.kind) {
    case 'sleep':
      return { type: 'sleep', seconds: preStop.seconds };
    case 'httpGet':
      return { type: 'httpGet', path: preStop.path };
    case 'exec':
      if (preStop.sleepSeconds !== undefined) {
        // An exec'd sleep runs inside the container: it ends early if the container exits.
        return { type: 'sleep', seconds: preStop.sleepSeconds, inContainer: true };
      }
      notes.push(`the preStop exec hook runs on this machine: ${preStop.command.join(' ')}`);
      return { type: 'exec', command: preStop.command };
    case 'other':
      notes.push(`the preStop ${preStop.handler} hook is not run by the rehearsal (the kubelet does not support it)`);
      return undefined;
  }
}

function pickWorkload(workloads: Workload[], file: string, name: string | undefined): Workload {
  const candidates = workloads.filter((w) => w.kind === 'Deployment');
  const list = candidates.map((w) => w.name).join(', ');
  if (name !== undefined) {
    const found = candidates.find((w) => w.name === name);
    if (!found) throw new ManifestInputError(`${file}: no Deployment named "${name}" (found: ${list || 'none'})`);
    return found;
  }
  if (candidates.length === 0) {
    throw new ManifestInputError(
      `${file}: no Deployment found; the rehearsal replays a Deployment's rolling update (pass a file with one)`,
    );
  }
  if (candidates.length > 1) {
    throw new ManifestInputError(
      `${file}: ${candidates.length} Deployments (${list}); choose one with --workload NAME`,
    );
  }
  return candidates[0] as Workload;
}

function probePortNote(container: Container, notes: string[]): void {
  const own = new Set(container.ports.flatMap((p) => [String(p.containerPort), p.name ?? '']));
  for (const [kind, info] of [
    ['startup', container.startupProbe],
    ['readiness', container.readinessProbe],
    ['liveness', container.livenessProbe],
  ] as const) {
    const handler = info?.resolved.handler;
    if (!handler || handler.type === 'exec') continue;
    const port = String(handler.port);
    if (own.size > 0 && !own.has(port)) {
      notes.push(`the ${kind} probe's port ${port} is not a port of container "${container.name}": it goes to $PORT`);
    }
  }
}

/** Reads the workload's rollout, probes, preStop, grace and load-balancer profile from a manifest file. */
export function readManifest(file: string, options: { workload?: string; profile?: ProfileId } = {}): ManifestSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ManifestInputError(
      `${file}: cannot read the manifest (${code === 'ENOENT' ? 'no such file' : code}); pass the path of a YAML file`,
    );
  }
  let objects: ReturnType<typeof parseManifests>['objects'];
  try {
    objects = parseManifests(text, file).objects;
  } catch (error) {
    if (error instanceof ManifestError) throw new ManifestInputError(error.toString());
    throw error;
  }
  const set = buildWorkloadSet(objects);
  const workload = pickWorkload(set.workloads, file, options.workload);
  const container = servingContainers(set, workload)[0] ?? workload.containers[0];
  if (!container) throw new ManifestInputError(`${file}: Deployment "${workload.name}" has no container`);
  const notes: string[] = [];
  if (workload.containers.length > 1) {
    notes.push(`only container "${container.name}" is rehearsed (the command after -- stands for it)`);
  }
  probePortNote(container, notes);
  const profile = profileOf(set, workload, options.profile);
  const path = healthChecksOf(set, workload).find((h) => h.path !== undefined)?.path;
  if (profile.healthCheck && path) profile.healthCheck = { ...profile.healthCheck, path };
  const preStop = preStopHookOf(container.preStop, notes);
  const pod: PodSettings = {
    gracePeriodSeconds: workload.terminationGracePeriodSeconds,
    stopSignal: 'SIGTERM',
    ...(container.startupProbe ? { startup: container.startupProbe.resolved } : {}),
    ...(container.readinessProbe ? { readiness: container.readinessProbe.resolved } : {}),
    ...(container.livenessProbe ? { liveness: container.livenessProbe.resolved } : {}),
    ...(preStop ? { preStop } : {}),
  };
  if (!container.readinessProbe) {
    notes.push('no readiness probe: like the kubelet, a pod is Ready as soon as its process starts');
  }
  const { PORT: manifestPort, ...env } = container.env;
  if (manifestPort !== undefined) notes.push('the manifest sets PORT: each replica gets its own PORT instead');
  if (container.envFromRefs.length > 0) {
    notes.push(
      `env from secrets/config maps is not available here (${container.envFromRefs.join(', ')}): pass it with --env`,
    );
  }
  return {
    file,
    workload: workload.name,
    container: container.name,
    replicas: workload.replicas,
    rollout: effectiveRollout(workload.replicas, workload.strategy),
    minReadySeconds: workload.minReadySeconds,
    progressDeadlineSeconds: workload.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
    pod,
    env,
    profile,
    notes,
  };
}
