import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  effectiveRollout,
  getProfile,
  type ProfileId,
  parseManifests,
  resolveProbe,
  ruleDocsUrl,
} from '@zerodrop/core';
import {
  defaultSettings as defaultLintSettings,
  findConfig,
  kindOf,
  lint,
  loadConfig,
  readInput,
  UserInputError,
} from '@zerodrop/lint';
import {
  defaultReadiness,
  defaultSettings,
  ManifestInputError,
  type ManifestSettings,
  type PropagationMode,
  type RehearsalResult,
  type RehearsalSettings,
  readManifest,
  rehearse,
  renderFailureToRun,
  renderSummary,
  resolveExecutable,
  verdictOf,
} from '@zerodrop/rehearse';
import { rehearseOnCluster } from '@zerodrop/verify';
import { UsageError } from '../errors.js';
import { onInterrupt, prepareOutputs, progressWriter, writeResultFiles } from '../live.js';
import type { Command } from '../main.js';
import { numberFlag, PROFILE_OPTION, stringFlag } from '../options.js';
import { CLEAR_LINE } from '../output.js';
import { type CommandSpec, valueOption as n, type ParsedArgs, parseArgs } from '../spec.js';

const spec: CommandSpec = {
  name: 'rehearse',
  summary: 'run a rolling update of the real app locally, under load, and count every lost request',
  usage: '[options] -- <app command and args>',
  description: `Runs a rolling update of your real app on this machine, under load, and counts every request that fails.
Each replica is one process of the command, told its port in $PORT (and the --speed factor in $ZERODROP_SPEED).
Around them: the Deployment controller (maxSurge/maxUnavailable, minReadySeconds, progress deadline), a kubelet per
pod (startup/readiness/liveness probes, preStop, stop signal, SIGKILL at the end of the grace period) and the
traffic consumer of the profile (kube-proxy pins TCP connections; ingress-nginx routes each request; gke-neg and
aws-alb health-check on their own), each learning endpoint changes after its own propagation delay.
With --control-plane kubernetes the same run goes to the real control plane of a local cluster (kube-apiserver,
kube-controller-manager, kube-scheduler, etcd; the node agent runs the replicas from the command, each pod in its own
network namespace): the rollout is a real pod template change, --drain a node drain through the eviction API.`,
  passThrough: true,
  groups: [
    {
      title: "Workload (from --manifest, else Kubernetes' defaults; a flag overrides the manifest)",
      options: [
        n('manifest', '<file>', 'a YAML file with the Deployment (and its Services, HealthCheckPolicy, ...)'),
        n('workload', '<name>', 'which Deployment, when the file has several'),
        n('replicas', '<n>', 'replicas', { default: '2 without a manifest' }),
        n('max-surge', '<n|%>', 'strategy.rollingUpdate.maxSurge', { default: '25%' }),
        n('max-unavailable', '<n|%>', 'strategy.rollingUpdate.maxUnavailable', { default: '25%' }),
        n('min-ready', '<s>', 'minReadySeconds', { default: '0' }),
        n('progress-deadline', '<s>', 'progressDeadlineSeconds', { default: '600' }),
        n('prestop-sleep', '<s>', 'a preStop sleep of this many seconds (0: none)'),
        n('prestop-path', '<path>', "a preStop httpGet on the app's port"),
        n('grace', '<s>', 'terminationGracePeriodSeconds', { default: '30' }),
        n(
          'ready-path',
          '<path>',
          'readiness probe: httpGet on this path, period 1s; without a manifest and without this flag the readiness probe is a TCP connect to $PORT every 1s',
        ),
        { ...PROFILE_OPTION, description: 'load-balancer profile', default: 'from the manifest, else kube-proxy' },
        n(
          'propagation',
          '<m>',
          "consumers' endpoint delays: random (between the profile's typical and worst value, drawn per change), typical, worst, or a number of seconds",
          { default: 'random' },
        ),
        {
          name: 'no-readiness-gate',
          description: "gke-neg/aws-alb/aws-nlb: pods are Ready without passing the load balancer's health check",
        },
      ],
    },
    {
      title: 'Control plane',
      options: [
        n(
          'control-plane',
          '<cp>',
          "models: the built-in Deployment controller, kubelet and endpoint models (fast, any --speed); kubernetes: the real control plane on a local cluster (root and the Kubernetes binaries, or Go to build them once; see zerodrop cluster): the manifest's Deployment, Service, PodDisruptionBudgets, ConfigMaps and Secrets applied, the container running the command after --, the rollout a real template change",
          { default: 'models' },
        ),
        n(
          'cluster',
          '<dir>',
          'with kubernetes: a running cluster (zerodrop cluster start --dir DIR) instead of one started for the run and stopped after it',
        ),
        {
          name: 'drain',
          description:
            "with kubernetes: rehearse a node drain instead of a rollout (cordon, the eviction API with the manifest's PodDisruptionBudget, 429s in the report); the pods start on one node, their replacements go to a second",
        },
      ],
    },
    {
      title: 'Load',
      options: [
        n('rate', '<req/s>', 'open-loop arrival rate', { default: '200' }),
        n('connections', '<n>', 'keep-alive client connections', { default: '16' }),
        n('path', '<path>', 'path of ordinary requests', { default: '/' }),
        n('slow-path', '<path>', 'mix in slow requests (e.g. /slow?ms=200), --slow-share of them'),
        n('slow-share', '<0..1>', 'share of requests on --slow-path', { default: '0.2' }),
        n('stream-path', '<path>', 'mix in streaming requests, --stream-share of them'),
        n('stream-share', '<0..1>', 'share of requests on --stream-path', { default: '0.05' }),
        n('timeout', '<ms>', 'per-request timeout', { default: '5000' }),
        n('retries', '<n>', 'client retries of a reset or refused request (0: every drop shows)', { default: '0' }),
      ],
    },
    {
      title: 'Run',
      options: [
        n(
          'speed',
          '<n>',
          'divide every Kubernetes duration by n (probes, preStop, grace, delays); models only: the real control plane runs at real time, so --control-plane kubernetes refuses it',
          { default: '1' },
        ),
        n('warmup', '<s>', 'seconds of load before the rollout', { default: '1.5' }),
        n('settle', '<s>', 'seconds of load after the last old pod is gone', { default: '1.5' }),
        n(
          'env',
          '<K=V>',
          "environment of every replica; adds to and overrides the manifest container's literal env values",
          { repeatable: true },
        ),
        n('new-env', '<K=V>', 'environment of the new revision only', { repeatable: true }),
        n('json', '<file>', 'write the result as JSON (missing folders are created)'),
        n('html', '<file>', 'write the HTML report (missing folders are created)'),
        {
          name: 'allow-unclean-exit',
          description:
            'a pod that exits non-zero, by a signal it does not handle, or SIGKILLed is a warning, not exit status 1',
        },
        { name: 'verbose', description: "print every controller, kubelet and consumer event, and the app's output" },
      ],
    },
  ],
  exitCodes:
    '0 nothing failed and every pod exited cleanly; 1 some requests failed, or a pod exited non-zero, by a signal it does not handle or SIGKILLed (see --allow-unclean-exit); 2 the rehearsal could not run or measure (bad arguments or manifest, command not found, an app that exits, listens on another port than $PORT or never becomes ready, no request sent); 130 interrupted.',
  examples: [
    'zerodrop rehearse --speed 4 -- node server.js',
    'zerodrop rehearse --manifest k8s/deploy.yaml --profile ingress-nginx --json out.json -- node dist/server.js',
    'sudo zerodrop rehearse --control-plane kubernetes --manifest k8s/deploy.yaml -- node dist/server.js',
    'sudo zerodrop rehearse --control-plane kubernetes --drain --manifest k8s/deploy.yaml -- node dist/server.js',
  ],
};

/** `--env K=V` values as an object; a value without `=` is a usage error. */
function keyValues(lists: ParsedArgs['lists'], name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of lists.get(name) ?? []) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${name} needs KEY=VALUE, got "${value}"`);
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}

function intOrPercentFlag(flags: ParsedArgs['flags'], name: string): number | string | undefined {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (/^\d+%$/.test(raw)) return raw;
  throw new UsageError(`--${name} must be an integer or a percentage like 25%, got "${raw}"`);
}

/** Builds the rehearsal settings from the flags and the manifest. Throws UsageError / ManifestInputError. */
export function settingsFromArgs(args: readonly string[]): {
  settings: RehearsalSettings;
  notes: string[];
  out: { json?: string; html?: string; profile?: string; verbose: boolean };
  kubernetes?: KubernetesRun;
} {
  const { flags, lists, passThrough } = parseArgs(args, spec);
  const command = passThrough ?? [];
  if (command.length === 0) throw new UsageError('no app command: pass it after --, e.g. `-- node server.js`');
  const env = { env: keyValues(lists, 'env'), 'new-env': keyValues(lists, 'new-env') };
  const profileFlag = stringFlag(flags, 'profile');
  const manifestFile = stringFlag(flags, 'manifest');
  const workload = stringFlag(flags, 'workload');
  const fromManifest = manifestFile
    ? readManifest(manifestFile, {
        ...(workload ? { workload } : {}),
        ...(profileFlag ? { profile: profileFlag as ProfileId } : {}),
      })
    : undefined;
  const profile = fromManifest?.profile ?? getProfile((profileFlag ?? 'kube-proxy') as ProfileId);
  const settings = defaultSettings(command, profile);
  const notes = [...(fromManifest?.notes ?? [])];
  if (fromManifest) {
    Object.assign(settings, {
      manifest: manifestFile,
      replicas: fromManifest.replicas,
      rollout: fromManifest.rollout,
      minReadySeconds: fromManifest.minReadySeconds,
      progressDeadlineSeconds: fromManifest.progressDeadlineSeconds,
      pod: fromManifest.pod,
    });
  }

  const replicas = numberFlag(flags, 'replicas', 1, true);
  if (replicas !== undefined) settings.replicas = replicas;
  const surge = intOrPercentFlag(flags, 'max-surge');
  const unavailable = intOrPercentFlag(flags, 'max-unavailable');
  if (replicas !== undefined || surge !== undefined || unavailable !== undefined) {
    const { written, type } = settings.rollout;
    settings.rollout =
      type === 'Recreate' && surge === undefined && unavailable === undefined
        ? effectiveRollout(settings.replicas, { type: 'Recreate' })
        : effectiveRollout(settings.replicas, {
            type: 'RollingUpdate',
            rollingUpdate: {
              maxSurge: surge ?? written.maxSurge,
              maxUnavailable: unavailable ?? written.maxUnavailable,
            },
          });
  }
  settings.minReadySeconds = numberFlag(flags, 'min-ready', 0) ?? settings.minReadySeconds;
  settings.progressDeadlineSeconds = numberFlag(flags, 'progress-deadline', 1) ?? settings.progressDeadlineSeconds;
  settings.pod.gracePeriodSeconds = numberFlag(flags, 'grace', 0) ?? settings.pod.gracePeriodSeconds;
  const preStopSleep = numberFlag(flags, 'prestop-sleep', 0);
  const preStopPath = stringFlag(flags, 'prestop-path');
  if (preStopSleep !== undefined && preStopPath !== undefined) {
    throw new UsageError('--prestop-sleep and --prestop-path are two different hooks: pass one');
  }
  if (preStopSleep !== undefined) {
    if (preStopSleep > 0) settings.pod.preStop = { type: 'sleep', seconds: preStopSleep };
    else delete settings.pod.preStop;
  }
  if (preStopPath !== undefined) settings.pod.preStop = { type: 'httpGet', path: preStopPath };
  const readyPath = stringFlag(flags, 'ready-path');
  if (readyPath !== undefined) {
    settings.pod.readiness = settings.pod.readiness
      ? resolveProbe({ ...settings.pod.readiness, httpGet: { path: readyPath } })
      : defaultReadiness(readyPath);
  }

  const propagation = stringFlag(flags, 'propagation');
  if (propagation !== undefined) {
    const seconds = Number(propagation);
    if (propagation === 'typical' || propagation === 'worst' || propagation === 'random') {
      settings.propagation = propagation;
    } else if (Number.isFinite(seconds) && seconds >= 0) settings.propagation = seconds as PropagationMode;
    else throw new UsageError(`--propagation must be random, typical, worst or seconds, got "${propagation}"`);
  }
  if (flags.has('no-readiness-gate')) settings.readinessGate = false;

  const load = settings.load;
  load.rate = numberFlag(flags, 'rate', 1) ?? load.rate;
  load.connections = numberFlag(flags, 'connections', 1, true) ?? load.connections;
  load.path = stringFlag(flags, 'path') ?? load.path;
  load.timeoutMs = numberFlag(flags, 'timeout', 1) ?? load.timeoutMs;
  load.retries = numberFlag(flags, 'retries', 0, true) ?? load.retries;
  for (const [kind, share] of [
    ['slow', 0.2],
    ['stream', 0.05],
  ] as const) {
    const path = stringFlag(flags, `${kind}-path`);
    const given = numberFlag(flags, `${kind}-share`, 0);
    if (given !== undefined && given > 1) throw new UsageError(`--${kind}-share must be between 0 and 1`);
    if (given !== undefined && path === undefined) throw new UsageError(`--${kind}-share needs --${kind}-path`);
    if (path !== undefined) load.mix.push({ path, share: given ?? share });
  }
  if (load.mix.reduce((a, m) => a + m.share, 0) > 1) throw new UsageError('the path shares add up to more than 1');

  const speed = numberFlag(flags, 'speed', 0.01);
  if (speed !== undefined) settings.speed = speed;
  settings.warmupMs = (numberFlag(flags, 'warmup', 0) ?? settings.warmupMs / 1000) * 1000;
  settings.settleMs = (numberFlag(flags, 'settle', 0) ?? settings.settleMs / 1000) * 1000;
  // The manifest's literal env first; --env wins.
  settings.env = { ...fromManifest?.env, ...env.env };
  settings.newEnv = env['new-env'] ?? {};
  if (flags.has('allow-unclean-exit')) settings.allowUncleanExit = true;
  const json = stringFlag(flags, 'json');
  const html = stringFlag(flags, 'html');
  const kubernetes = kubernetesRun(flags, lists, settings, fromManifest);
  return {
    settings,
    notes: kubernetes ? kubernetes.notes : notes,
    ...(kubernetes ? { kubernetes } : {}),
    out: {
      ...(json ? { json } : {}),
      ...(html ? { html } : {}),
      ...(profileFlag ? { profile: profileFlag } : {}),
      verbose: flags.has('verbose'),
    },
  };
}

/** What a rehearsal on the real control plane needs beyond the settings. */
export interface KubernetesRun {
  clusterDir?: string;
  drain: boolean;
  /** Flags that do not reach the real control plane, said before the run. */
  notes: string[];
  manifest?: { file: string; workload: string; container: string; objects: Record<string, unknown>[] };
  replace: { preStop: boolean; readiness: boolean };
}

/**
 * `--control-plane`: undefined for the built-in models, else what the kubernetes run needs. Flags that only the
 * models can honour are refused here, with what to do instead.
 */
function kubernetesRun(
  flags: ParsedArgs['flags'],
  lists: ParsedArgs['lists'],
  settings: RehearsalSettings,
  fromManifest: ManifestSettings | undefined,
): KubernetesRun | undefined {
  const plane = stringFlag(flags, 'control-plane') ?? 'models';
  if (plane !== 'models' && plane !== 'kubernetes') {
    throw new UsageError(`--control-plane must be models or kubernetes, got "${plane}"`);
  }
  const clusterDir = stringFlag(flags, 'cluster');
  if (plane === 'models') {
    for (const flag of ['cluster', 'drain']) {
      if (flags.has(flag)) throw new UsageError(`--${flag} needs --control-plane kubernetes`);
    }
    return undefined;
  }
  if (flags.has('speed') && settings.speed !== 1) {
    throw new UsageError(
      '--speed applies to the built-in models only: on the real control plane the kubelet (probe periods, preStop, grace period), the controllers and the endpoint propagation run at real time. Leave out --speed, or rehearse with --control-plane models',
    );
  }
  if ((lists.get('new-env') ?? []).length > 0) {
    throw new UsageError(
      '--new-env is for the built-in models: on the real control plane the new revision is the same pod template with a restart annotation (as kubectl rollout restart)',
    );
  }
  let manifest: KubernetesRun['manifest'];
  if (fromManifest && settings.manifest) {
    manifest = {
      file: settings.manifest,
      workload: fromManifest.workload,
      container: fromManifest.container,
      objects: parseManifests(readFileSync(settings.manifest, 'utf8'), settings.manifest).objects.map((o) => o.object),
    };
  }
  const notes: string[] = [];
  if (flags.has('propagation') && settings.profile.consumers.at(-1)?.kind === 'l4') {
    notes.push(
      "--propagation does not reach the cluster's kube-proxy model on the NodePort: it draws its own delay (1–2 s) for every EndpointSlice change",
    );
  }
  return {
    ...(clusterDir ? { clusterDir: resolve(clusterDir) } : {}),
    drain: flags.has('drain'),
    notes,
    ...(manifest ? { manifest } : {}),
    replace: {
      preStop: flags.has('prestop-sleep') || flags.has('prestop-path'),
      readiness: flags.has('ready-path'),
    },
  };
}

/**
 * Lints the rehearsed manifest with the config found from its folder upward. The other manifests of its folder are
 * read as context (its Service, PodDisruptionBudget, health-check policy), and only the findings on the rehearsed
 * file are kept. A config problem is a note, not a reason to skip the rehearsal.
 */
function lintManifest(file: string, profile: string | undefined): RehearsalResult['lint'] | string {
  try {
    const config = findConfig(dirname(resolve(file)));
    const settings = config ? loadConfig(config) : defaultLintSettings();
    if (profile) settings.profile = profile as ProfileId;
    const siblings = readdirSync(dirname(file))
      .map((name) => join(dirname(file), name))
      .filter((path) => resolve(path) !== resolve(file) && kindOf(path) === 'manifest' && statSync(path).isFile());
    const context = siblings.flatMap((path) => {
      try {
        return [readInput(path)];
      } catch {
        return [];
      }
    });
    const result = lint([readInput(file), ...context], settings);
    return {
      file,
      findings: result.findings
        .filter((f) => f.file === file)
        .map((f) => ({
          rule: f.rule,
          severity: f.severity,
          message: f.message,
          line: f.line,
          column: f.column,
          url: ruleDocsUrl(f.rule),
        })),
    };
  } catch (error) {
    if (error instanceof UserInputError) return `the manifest is not linted: ${error.toString()}`;
    throw error;
  }
}

async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof settingsFromArgs>;
  try {
    parsed = settingsFromArgs(args);
  } catch (error) {
    if (error instanceof ManifestInputError) {
      console.error(`zerodrop rehearse: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const { settings, notes, out, kubernetes } = parsed;
  // Before anything starts: the command exists, and the results will have somewhere to go.
  const [file] = settings.command;
  if (file === undefined || resolveExecutable(file, { ...process.env, ...settings.env }) === undefined) {
    console.error(`zerodrop rehearse: command not found: ${file} (check the command after --, and PATH)`);
    return 2;
  }
  prepareOutputs(out);
  const linted = settings.manifest ? lintManifest(settings.manifest, out.profile) : undefined;
  if (typeof linted === 'string') notes.push(linted);
  for (const note of notes) console.error(`zerodrop rehearse: note: ${note}`);

  const interrupt = onInterrupt(
    'rehearse',
    !kubernetes
      ? 'stopping the load and the replicas'
      : kubernetes.clusterDir
        ? `stopping the load; the cluster in ${kubernetes.clusterDir} stays`
        : 'stopping the load and the local cluster started for the run',
  );
  const onProgress = progressWriter('rehearse');
  let result: RehearsalResult;
  const onEvent = (at: number, what: string) => console.error(`${(at / 1000).toFixed(3).padStart(8)}s ${what}`);
  try {
    result = kubernetes
      ? await rehearseOnCluster(
          { settings, cwd: process.cwd(), ...kubernetes },
          {
            signal: interrupt.signal,
            onLog: (line) => console.error(`zerodrop rehearse: ${line}`),
            onNotice: (line) => {
              if (process.stderr.isTTY) process.stderr.write(CLEAR_LINE);
              console.error(`zerodrop rehearse: ${line}`);
            },
            ...(out.verbose ? { onEvent } : { onProgress }),
          },
        )
      : await rehearse(settings, {
          signal: interrupt.signal,
          ...(out.verbose
            ? { onEvent, onOutput: (pod, line) => console.error(`         ${pod} | ${line}`) }
            : { onProgress }),
        });
  } finally {
    interrupt.release();
  }
  if (linted && typeof linted !== 'string') result.lint = linted;
  const verdict = verdictOf(result);
  if (verdict.status === 'error') console.error(renderFailureToRun(result));
  else console.log(renderSummary(result));
  return (await writeResultFiles('rehearse', result, out)) ?? verdict.exitCode;
}

export const command: Command = { spec, run };
