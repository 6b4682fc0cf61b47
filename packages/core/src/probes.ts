import { asStringList } from './manifest.js';
import { shellScriptOf } from './shell.js';

/** A container probe as written in a manifest (only the fields zerodrop reasons about are typed). */
export interface Probe {
  httpGet?: { path?: string; port?: number | string; scheme?: string; host?: string };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port?: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

/** The kubelet's defaults for omitted probe fields. */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

export type ProbeHandler =
  | { type: 'httpGet'; path: string; port: number | string; scheme: string; host?: string }
  | { type: 'tcpSocket'; port: number | string; host?: string }
  | { type: 'exec'; command: string[] }
  | { type: 'grpc'; port: number; service?: string };

/** A probe with every timing field filled in and its handler classified. */
export interface ResolvedProbe {
  handler: ProbeHandler | undefined;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** `host` as written (the kubelet probes the pod IP when it is left out). */
function hostOf(target: { host?: unknown }): { host?: string } {
  return typeof target.host === 'string' && target.host !== '' ? { host: target.host } : {};
}

/** A port as written (number or name), else `fallback`: a probe read from a manifest may hold anything. */
function portOf(value: unknown, fallback: number): number | string {
  return typeof value === 'number' || typeof value === 'string' ? value : fallback;
}

/** A string field as written, else `fallback`. */
function textOf(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** Applies the kubelet's defaults and classifies the handler. Total: a field of the wrong type reads as not written. */
export function resolveProbe(probe: Probe): ResolvedProbe {
  let handler: ProbeHandler | undefined;
  const object = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined);
  const httpGet = object(probe.httpGet) as Probe['httpGet'];
  const tcpSocket = object(probe.tcpSocket) as Probe['tcpSocket'];
  const exec = object(probe.exec) as Probe['exec'];
  const grpc = object(probe.grpc) as Probe['grpc'];
  if (httpGet) {
    handler = {
      type: 'httpGet',
      path: textOf(httpGet.path, '/'),
      port: portOf(httpGet.port, 80),
      scheme: textOf(httpGet.scheme, 'HTTP'),
      ...hostOf(httpGet),
    };
  } else if (tcpSocket) {
    handler = { type: 'tcpSocket', port: portOf(tcpSocket.port, 80), ...hostOf(tcpSocket) };
  } else if (exec) {
    handler = { type: 'exec', command: asStringList(exec.command) ?? [] };
  } else if (grpc) {
    handler = {
      type: 'grpc',
      port: num(grpc.port, 0),
      ...(typeof grpc.service === 'string' && grpc.service !== '' ? { service: grpc.service } : {}),
    };
  }
  return {
    handler,
    initialDelaySeconds: num(probe.initialDelaySeconds, PROBE_DEFAULTS.initialDelaySeconds),
    periodSeconds: Math.max(1, num(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds)),
    timeoutSeconds: Math.max(1, num(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds)),
    successThreshold: Math.max(1, num(probe.successThreshold, PROBE_DEFAULTS.successThreshold)),
    failureThreshold: Math.max(1, num(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold)),
  };
}

/** Worst-case seconds from a probe's first failure to the kubelet acting on it: period x failureThreshold. */
export function probeReactionSeconds(probe: ResolvedProbe): number {
  return probe.periodSeconds * probe.failureThreshold;
}

/** Longest a startup probe lets a container take before it is killed: initialDelay + period x failureThreshold. */
export function startupBudgetSeconds(probe: ResolvedProbe): number {
  return probe.initialDelaySeconds + probe.periodSeconds * probe.failureThreshold;
}

/** Two probes hit the same endpoint (same handler type, path and port): the probe split is missing. */
export function sameProbeTarget(a: ResolvedProbe, b: ResolvedProbe): boolean {
  if (!a.handler || !b.handler || a.handler.type !== b.handler.type) return false;
  return JSON.stringify(a.handler) === JSON.stringify(b.handler);
}

/**
 * Path words that name a readiness or dependency check rather than "the process answers". Whole words only, so
 * `/already` or `/dbg` do not count.
 */
const DEPENDENCY_WORDS = new Set([
  'ready',
  'readyz',
  'readiness',
  'deep',
  'deps',
  'dependency',
  'dependencies',
  'upstream',
  'upstreams',
  'downstream',
  'db',
  'database',
  'pg',
  'postgres',
  'postgresql',
  'mysql',
  'mariadb',
  'redis',
  'mongo',
  'mongodb',
  'kafka',
  'rabbitmq',
  'amqp',
  'elasticsearch',
  'cassandra',
  'memcached',
]);

/** Aggregate health endpoints of frameworks that include every dependency check unless told otherwise. */
const AGGREGATE_HEALTH: Record<string, string> = {
  '/actuator/health': "Spring Boot's aggregate health, which includes every health indicator (DataSource, Redis, ...)",
  '/q/health': "Quarkus' aggregate health, which includes the readiness checks",
};

/** Clients whose job is to reach a server: pointed at another host, they check a dependency. */
const NETWORK_CLIENTS = new Set([
  'psql',
  'pg_isready',
  'mysql',
  'mysqladmin',
  'redis-cli',
  'mongo',
  'mongosh',
  'cqlsh',
  'nc',
  'ncat',
  'netcat',
  'telnet',
  'curl',
  'wget',
  'grpc_health_probe',
]);

/** The pod itself: what a probe of the container's own process points at. */
const LOCAL_HOST = /^(localhost|127(\.\d+){3}|::1|\[::1\]|0\.0\.0\.0|\$\{?(HOSTNAME|POD_IP)\}?|\$\(hostname.*)$/i;

function isLocalHost(host: string): boolean {
  return LOCAL_HOST.test(host);
}

/** The first dependency word of a path (query included), or undefined. */
function dependencyWordIn(path: string): string | undefined {
  return path
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .find((word) => DEPENDENCY_WORDS.has(word));
}

function pathCheck(path: string): string | undefined {
  const bare = (path.split('?')[0] ?? '').replace(/\/+$/, '').toLowerCase();
  const aggregate = AGGREGATE_HEALTH[bare];
  if (aggregate) return `GET ${path} is ${aggregate}`;
  const word = dependencyWordIn(path);
  return word ? `GET ${path} looks like a readiness or dependency check ("${word}" in the path)` : undefined;
}

/** `host:port`, `[::1]:port` → host. */
function hostPart(address: string): string {
  if (address.startsWith('[')) return address.slice(0, address.indexOf(']') + 1);
  if (address.startsWith('$')) return address;
  return address.split(':')[0] ?? address;
}

const URL_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]+)(?::\d+)?([^\s]*)$/i;
const HOST_FLAG = /^(?:-h|--host|--hostname|-addr|--addr|-H)(?:=(.+))?$/;

/** Hosts an exec probe's command line reaches, and the URL paths it fetches on the pod itself. */
function execTargets(command: string[]): { program: string; host: string }[] | { localUrlPath: string } | undefined {
  const script = shellScriptOf(command);
  const argv = script === undefined ? command : script.split(/[\s;&|]+/);
  const tokens = argv.map((t) => t.replace(/^['"]+|['"]+$/g, '')).filter((t) => t !== '');
  const remote: { program: string; host: string }[] = [];
  let localUrlPath: string | undefined;
  let program: string | undefined;
  let positionalWanted = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const base = token.slice(token.lastIndexOf('/') + 1);
    const url = URL_PATTERN.exec(token);
    if (url) {
      const host = url[1] ?? '';
      if (!isLocalHost(host)) remote.push({ program: program ?? base, host });
      else localUrlPath ??= url[2] || '/';
      continue;
    }
    if (NETWORK_CLIENTS.has(base)) {
      program = base;
      positionalWanted = ['nc', 'ncat', 'netcat', 'telnet'].includes(base);
      continue;
    }
    // curl and wget reach hosts through URLs only (their -H is a header, -h is help).
    if (!program || program === 'curl' || program === 'wget') continue;
    const flag = HOST_FLAG.exec(token);
    if (flag) {
      const value = flag[1] ?? tokens[++i];
      if (value !== undefined && !isLocalHost(hostPart(value))) remote.push({ program, host: hostPart(value) });
      continue;
    }
    if (positionalWanted && !token.startsWith('-')) {
      positionalWanted = false;
      if (!isLocalHost(token)) remote.push({ program, host: token });
    }
  }
  if (remote.length > 0) return remote;
  return localUrlPath === undefined ? undefined : { localUrlPath };
}

/**
 * Why a (liveness) probe looks like it checks a dependency or readiness rather than the process alone, or undefined
 * when it looks shallow. Heuristics: a readiness/dependency word in the HTTP path or gRPC service, a framework's
 * aggregate health endpoint, a `host` other than the pod, or an exec command whose network client (psql, redis-cli,
 * curl, nc, ...) reaches another host. Clients pointed at the pod itself (a database checking its own server) are
 * not dependencies.
 */
export function dependencyCheckOf(handler: ProbeHandler | undefined): string | undefined {
  if (!handler) return undefined;
  switch (handler.type) {
    case 'httpGet':
      if (handler.host !== undefined && !isLocalHost(handler.host))
        return `GET ${handler.path} goes to another host (${handler.host}), not the container`;
      return pathCheck(handler.path);
    case 'tcpSocket':
      return handler.host !== undefined && !isLocalHost(handler.host)
        ? `tcpSocket connects to another host (${handler.host}:${handler.port}), not the container`
        : undefined;
    case 'grpc': {
      const word = handler.service ? dependencyWordIn(handler.service) : undefined;
      return word ? `gRPC service "${handler.service}" looks like a readiness or dependency check` : undefined;
    }
    case 'exec': {
      const targets = execTargets(handler.command);
      if (!targets) return undefined;
      if ('localUrlPath' in targets) return pathCheck(targets.localUrlPath);
      const first = targets[0]!;
      return `exec runs ${first.program} against another host (${first.host})`;
    }
  }
}
