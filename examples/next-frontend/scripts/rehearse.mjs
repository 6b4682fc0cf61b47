// One `zerodrop rehearse` of this example, as it ships ("plain": Next's own health route, no preload) or with the
// preload (NODE_OPTIONS=--import @zerodrop/graceful/register, the probes on the zerodrop paths): the same
// k8s/deployment.yaml (preStop sleep 10, grace 45, maxSurge 1 / maxUnavailable 0), the same load. Shared by
// `npm run demo:next` and the graceful benchmark of the Next.js rehearsal matrix.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureBuilt, exampleDir, nextBin, standaloneServer } from './build.mjs';

const root = join(exampleDir, '..', '..');
const cli = join(root, 'packages', 'cli', 'bin', 'zerodrop.js');
const k8s = join(exampleDir, 'k8s');
/** The preload exactly as the image sets it. */
export const PRELOAD = '--import @zerodrop/graceful/register';
/** A rehearsal takes well under a minute; past this it gets Ctrl-C, then SIGKILL 15 s later. */
const LIMIT_MS = 5 * 60_000;

/** How the server is started: Next's CLI, or the standalone server.js the Dockerfile runs. */
export const SERVERS = {
  // `next start` reads no KEEP_ALIVE_TIMEOUT: the flag gives it the manifest's value.
  'next start': () => [
    process.execPath,
    relative(root, nextBin),
    'start',
    relative(root, exampleDir),
    '--keepAliveTimeout',
    '620000',
  ],
  standalone: () => [process.execPath, relative(root, standaloneServer)],
};

/**
 * k8s/*.yaml as one file (the rehearsal reads the Deployment with its Service and HealthCheckPolicy from one file).
 * `plain`: as the app ships without zerodrop: every probe and the load balancer's health check on the app's own
 * /api/healthz (Next answers it, 200 while the process answers); everything else unchanged.
 */
function manifestFile(dir, plain) {
  let text = readdirSync(k8s)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => readFileSync(join(k8s, name), 'utf8'))
    .join('\n---\n');
  if (plain) text = text.replace(/(path|requestPath): \/health\/(startup|ready|live)/g, '$1: /api/healthz');
  const file = join(dir, plain ? 'frontend-plain.yaml' : 'frontend.yaml');
  writeFileSync(file, text);
  return file;
}

/**
 * Without a preStop hook (a first deployment, before anyone knew it was needed), the preload's in-app delay covers
 * the slowest consumer of the three profiles: the GKE health check of k8s/healthcheckpolicy.yaml marks a draining pod
 * down within 2 s x 2 + 1 s.
 */
const DRAIN_DELAY_WITHOUT_PRESTOP_MS = '6000';

/**
 * Rehearse one rollout; resolves the parsed RehearsalResult (the JSON of `zerodrop rehearse --json`).
 * options: { server: 'next start' | 'standalone', preload: boolean, profile, preStop: true (the manifest's) | false,
 * speed, rate, connections, json, html, quiet }
 */
export async function rehearseNext(options) {
  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-next-'));
  try {
    const json = options.json ?? join(dir, 'result.json');
    const args = [
      cli,
      'rehearse',
      '--manifest',
      manifestFile(dir, !options.preload),
      '--workload',
      'frontend',
      '--profile',
      options.profile,
      '--speed',
      String(options.speed ?? 4),
      '--rate',
      String(options.rate ?? 100),
      '--connections',
      String(options.connections ?? 16),
      '--path',
      '/',
      '--slow-path',
      '/api/slow?ms=200',
      '--env',
      'NEXT_TELEMETRY_DISABLED=1',
      '--env',
      'HOSTNAME=127.0.0.1',
      '--json',
      json,
      ...(options.preload ? ['--env', `NODE_OPTIONS=${PRELOAD}`] : []),
      ...(options.preStop === false ? ['--prestop-sleep', '0'] : []),
      ...(options.preStop === false && options.preload
        ? ['--env', `ZERODROP_DRAIN_DELAY_MS=${DRAIN_DELAY_WITHOUT_PRESTOP_MS}`]
        : []),
      ...(options.html ? ['--html', options.html] : []),
      '--',
      ...SERVERS[options.server](),
    ];
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // only the replicas get the preload, and only in the preload variant
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, args, {
        cwd: root,
        env,
        stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit'],
      });
      let kill;
      const limit = setTimeout(() => {
        child.kill('SIGINT');
        kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      }, LIMIT_MS);
      child.on('exit', (c, signal) => {
        clearTimeout(limit);
        clearTimeout(kill);
        resolve(c ?? signal);
      });
    });
    let result;
    try {
      result = JSON.parse(readFileSync(json, 'utf8'));
    } catch {
      throw new Error(`the rehearsal wrote no result (exit ${code})`);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "reset 3, killed 5" from a RehearsalResult ("–" when nothing failed). */
export function failureKinds(result) {
  return (
    Object.entries(result.requests.byKind)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ') || '–'
  );
}

/** How the old pods ended: "exit 143", "SIGKILL", or both ("exit 143/SIGKILL"). */
export function oldPodExits(result) {
  const exits = result.pods.filter((p) => p.revision === 'old').map((p) => p.signal ?? `exit ${p.exitCode}`);
  return [...new Set(exits)].join('/');
}
