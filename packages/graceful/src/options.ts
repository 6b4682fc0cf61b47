import { optionsError } from './errors.js';
import { jsonLogger, type Logger, safeLogger, silentLogger } from './logger.js';

/** A readiness check: resolve (anything but `false`) when the dependency is usable, throw/reject when not. */
export type CheckFunction = (signal: AbortSignal) => unknown;

/** A readiness check with its own timeout. */
export interface CheckDefinition {
  run: CheckFunction;
  /** ms before the check counts as failed and its `signal` is aborted. Default: `checkTimeout`. */
  timeout?: number;
}

/** A cleanup step run after the drain (close a DB pool, flush a queue). */
export type ShutdownHookFunction = () => unknown;

/** A cleanup step with a name (for the log) and its own timeout. */
export interface ShutdownHookDefinition {
  name?: string;
  run: ShutdownHookFunction;
  /** ms before the hook is given up on and the next one runs. Default: `hookTimeout`. */
  timeout?: number;
}

export type ShutdownHook = ShutdownHookFunction | ShutdownHookDefinition;

/** The user's cleanup hooks with a framework's own close appended, so it runs last, after the drain (adapters). */
export function withLastHook(
  onShutdown: ShutdownHook | ShutdownHook[] | undefined,
  last: ShutdownHook,
): ShutdownHook[] {
  return [...(onShutdown === undefined ? [] : Array.isArray(onShutdown) ? onShutdown : [onShutdown]), last];
}

/** Paths of the probe routes. */
export interface ProbePaths {
  /** Liveness: 200 while the event loop answers, draining included. Default `/health/live`. */
  live?: string;
  /** Readiness: runs the checks; 503 while starting, failing or draining. Default `/health/ready`. */
  ready?: string;
  /** Startup: 200 once started. Default `/health/startup`. */
  startup?: string;
  /** preStop httpGet target: starts the drain, answers after `drainDelay`. Default `/health/prestop`. */
  prestop?: string;
}

/**
 * Options of {@link graceful}. Every one is optional. Environment variables (listed per option) WIN over the values
 * given in code: the manifest, where preStop and terminationGracePeriodSeconds live, stays the source of truth.
 */
export interface GracefulOptions {
  /** Readiness checks by name. They never run for liveness. */
  checks?: Record<string, CheckFunction | CheckDefinition>;
  /** Per-check timeout in ms, below the kubelet probe's 1 s default. Default 800. Env `ZERODROP_CHECK_TIMEOUT_MS`. */
  checkTimeout?: number;
  /** How long a check run's result is reused, in ms. Default 1000. Env `ZERODROP_CHECK_CACHE_MS`. */
  checkCacheTtl?: number;
  /**
   * In-app preStop: ms to keep serving (draining, `Connection: close` on every response) after the first
   * termination sign before the listener closes. Cover the slowest traffic consumer (kube-proxy ~1-2 s,
   * ingress-nginx ~4 s, cloud LBs more). Set 0 when a preStop `sleep` already covers it. Default 5000.
   * Env `ZERODROP_DRAIN_DELAY_MS`. Divided by `ZERODROP_SPEED`.
   */
  drainDelay?: number;
  /**
   * Hard deadline in ms from the first termination sign: exit 1, logging what was cut. Keep it below
   * terminationGracePeriodSeconds (minus any preStop sleep that ran before SIGTERM). Default 28000 (30 s grace
   * minus 2 s). Env `ZERODROP_SHUTDOWN_TIMEOUT_MS`. Divided by `ZERODROP_SPEED`.
   */
  shutdownTimeout?: number;
  /**
   * Once the listener is closed, a keep-alive socket that never got a `Connection: close` response is closed when it
   * has been idle this long (ms); a request that arrives before is served, with `Connection: close`. Default: the
   * server's `keepAliveTimeout` (Node: 5000), the idle time the server promised in its `Keep-Alive: timeout=5`
   * header: clients that honour it (Node's http.Agent, undici) close their idle socket about 1 s before, so the
   * close never races a request. Lower values exit sooner after the delay but may reset a request a client is
   * writing at that moment. Env `ZERODROP_IDLE_SOCKET_TIMEOUT_MS`. The default (not an explicit value) is divided by
   * `ZERODROP_SPEED`, so a rehearsal at N× speed is not held by a wall-clock keep-alive wait its grace period cannot fit.
   */
  idleSocketTimeout?: number;
  /** Cleanup hooks, run in order after the drain; each has its own timeout; errors are logged, the next one runs. */
  onShutdown?: ShutdownHook | ShutdownHook[];
  /** Default timeout of a cleanup hook in ms. Default 5000. Env `ZERODROP_HOOK_TIMEOUT_MS`. */
  hookTimeout?: number;
  /** Work to finish before the app counts as started (warm caches, migrations). Runs once, at once. */
  startup?: () => unknown;
  /** When true the app stays `starting` until `handle.ready()` is called (and the server listens). Default false. */
  manualReady?: boolean;
  /** Probe route paths. */
  paths?: ProbePaths;
  /**
   * Serve the probes (and the prestop hook without a token) on this extra port, on its own tiny server that the
   * Service does not expose. Probes are served on the app's port too. Default: none. Env `ZERODROP_PROBE_PORT`.
   */
  probePort?: number;
  /** Host of the probe server. Default: all interfaces. Env `ZERODROP_PROBE_HOST`. */
  probeHost?: string;
  /**
   * Secret that the prestop path requires (header `x-zerodrop-prestop-token` or query `?token=`), on every port.
   * Without it the prestop path answers only on `probePort`, and 404 on the app's port. Env `ZERODROP_PRESTOP_TOKEN`.
   */
  prestopToken?: string;
  /**
   * Show check error messages and durations in readiness bodies. Default false on every port: an error message can
   * carry a connection string with its password, and the probe port is reachable from every pod in the cluster.
   * Env `ZERODROP_EXPOSE_DETAILS` (`1`/`true`/`0`/`false`). The log always has them.
   */
  exposeDetails?: boolean;
  /**
   * Most connections the app's server keeps open at once. Past it, a new connection makes the longest-idle
   * keep-alive connection close (or is closed itself when none is idle), so that file descriptors stay free for the
   * probes (the probe port), the app's files and its database pool. Default: the process's open-file limit minus
   * 10 % (at least 64 kept free), read from /proc/self/limits (Linux); none elsewhere, or when the server already has
   * its own `maxConnections`. Env `ZERODROP_MAX_CONNECTIONS` (0: no cap).
   */
  maxConnections?: number;
  /**
   * Hold the process's other SIGTERM / SIGINT listeners (a framework's own shutdown, which would exit mid-drain)
   * until the drain is over, then deliver the signal to them. Default false; the zero-code preload sets it.
   * Env `ZERODROP_HOLD_SIGNAL_LISTENERS`.
   */
  holdSignalListeners?: boolean;
  /** Signals that start the drain. Default `['SIGTERM', 'SIGINT']`; `false` to handle none (call `shutdown()`). */
  signals?: NodeJS.Signals[] | false;
  /** Call `process.exit` when done (0 drained, 1 deadline). Default true; false for tests and embedding. */
  exit?: boolean;
  /** pino-compatible logger, or false for silence. Default: JSON lines on stderr. Env `ZERODROP_LOG=off` silences. */
  logger?: Logger | false;
  /** Warn when the stop signal may not reach this process (not PID 1, parent npm/yarn/pnpm/sh). Default true. */
  pid1Warning?: boolean;
}

export interface ResolvedOptions {
  checks: { name: string; run: CheckFunction; timeout: number }[];
  checkTimeout: number;
  checkCacheTtl: number;
  drainDelay: number;
  shutdownTimeout: number;
  /** undefined: the server's keepAliveTimeout. */
  idleSocketTimeout: number | undefined;
  hooks: { name: string; run: ShutdownHookFunction; timeout: number }[];
  hookTimeout: number;
  startup: (() => unknown) | undefined;
  manualReady: boolean;
  paths: Required<ProbePaths>;
  probePort: number | undefined;
  probeHost: string | undefined;
  prestopToken: string | undefined;
  exposeDetails: boolean;
  /** undefined: from the open-file limit. 0: no cap. */
  maxConnections: number | undefined;
  holdSignalListeners: boolean;
  signals: NodeJS.Signals[];
  exit: boolean;
  logger: Logger;
  pid1Warning: boolean;
  /** ZERODROP_SPEED: Kubernetes-side durations (drainDelay, shutdownTimeout) are divided by it. */
  speed: number;
}

/** Every environment variable read, with what it sets. Exported for docs and tools. */
export const ENVIRONMENT = {
  ZERODROP_DRAIN_DELAY_MS: 'drainDelay',
  ZERODROP_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeout',
  ZERODROP_IDLE_SOCKET_TIMEOUT_MS: 'idleSocketTimeout',
  ZERODROP_CHECK_TIMEOUT_MS: 'checkTimeout',
  ZERODROP_CHECK_CACHE_MS: 'checkCacheTtl',
  ZERODROP_HOOK_TIMEOUT_MS: 'hookTimeout',
  ZERODROP_PROBE_PORT: 'probePort',
  ZERODROP_PROBE_HOST: 'probeHost',
  ZERODROP_PRESTOP_TOKEN: 'prestopToken',
  ZERODROP_EXPOSE_DETAILS: 'exposeDetails',
  ZERODROP_MAX_CONNECTIONS: 'maxConnections',
  ZERODROP_HOLD_SIGNAL_LISTENERS: 'holdSignalListeners',
  ZERODROP_LIVE_PATH: 'paths.live',
  ZERODROP_READY_PATH: 'paths.ready',
  ZERODROP_STARTUP_PATH: 'paths.startup',
  ZERODROP_PRESTOP_PATH: 'paths.prestop',
  ZERODROP_PID1_WARNING: 'pid1Warning',
  ZERODROP_LOG: 'logger (off silences)',
  ZERODROP_SPEED:
    'divides drainDelay, shutdownTimeout and the default idleSocketTimeout (local rehearsal runs Kubernetes time N× faster)',
} as const;

export const DEFAULTS = {
  checkTimeout: 800,
  checkCacheTtl: 1000,
  drainDelay: 5000,
  shutdownTimeout: 28_000,
  hookTimeout: 5000,
  paths: { live: '/health/live', ready: '/health/ready', startup: '/health/startup', prestop: '/health/prestop' },
} as const;

type Env = Record<string, string | undefined>;

function envNumber(env: Env, name: string, min: number, integer = false): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw optionsError(
      `environment variable ${name}=${JSON.stringify(raw)} is not ${integer ? 'an integer' : 'a number'} >= ${min}; ` +
        `set it to ${integer ? 'an integer' : 'a number'} like ${min === 1 ? '1' : '1000'} or unset it`,
    );
  }
  return value;
}

function envBoolean(env: Env, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw optionsError(
    `environment variable ${name}=${JSON.stringify(env[name])} is not a boolean; use 1/true or 0/false`,
  );
}

function duration(name: string, value: unknown, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw optionsError(`option ${name} must be a number of milliseconds >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function';
}

function path(env: Env, name: keyof ProbePaths, value: unknown, fallback: string): string {
  const variable = `ZERODROP_${name.toUpperCase()}_PATH`;
  const fromEnv = env[variable];
  const chosen = fromEnv !== undefined && fromEnv !== '' ? fromEnv : value;
  if (chosen === undefined) return fallback;
  if (typeof chosen !== 'string' || !chosen.startsWith('/') || /[?#\s]/.test(chosen)) {
    const source = chosen === fromEnv ? `environment variable ${variable}` : `option paths.${name}`;
    throw optionsError(
      `${source} must be a path starting with "/" without query or spaces, got ${JSON.stringify(chosen)}`,
    );
  }
  return chosen;
}

/** Validate options, apply the environment (which wins) and ZERODROP_SPEED. Throws GracefulError on bad input. */
export function resolveOptions(options: GracefulOptions = {}, env: Env = process.env): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw optionsError('graceful(server, options): options must be an object');
  const speed = envNumber(env, 'ZERODROP_SPEED', 1) ?? 1;
  const checkTimeout =
    envNumber(env, 'ZERODROP_CHECK_TIMEOUT_MS', 1) ??
    duration('checkTimeout', options.checkTimeout, 1) ??
    DEFAULTS.checkTimeout;
  const checkCacheTtl =
    envNumber(env, 'ZERODROP_CHECK_CACHE_MS', 0) ??
    duration('checkCacheTtl', options.checkCacheTtl) ??
    DEFAULTS.checkCacheTtl;
  const drainDelay =
    (envNumber(env, 'ZERODROP_DRAIN_DELAY_MS', 0) ??
      duration('drainDelay', options.drainDelay) ??
      DEFAULTS.drainDelay) / speed;
  const shutdownTimeout =
    (envNumber(env, 'ZERODROP_SHUTDOWN_TIMEOUT_MS', 1) ??
      duration('shutdownTimeout', options.shutdownTimeout, 1) ??
      DEFAULTS.shutdownTimeout) / speed;
  if (drainDelay >= shutdownTimeout) {
    throw optionsError(
      `drainDelay (${drainDelay * speed} ms) must be shorter than shutdownTimeout (${shutdownTimeout * speed} ms): ` +
        'the hard deadline would cut the drain; raise shutdownTimeout (and terminationGracePeriodSeconds) or lower drainDelay',
    );
  }
  const idleSocketTimeout =
    envNumber(env, 'ZERODROP_IDLE_SOCKET_TIMEOUT_MS', 0) ?? duration('idleSocketTimeout', options.idleSocketTimeout);
  const hookTimeout =
    envNumber(env, 'ZERODROP_HOOK_TIMEOUT_MS', 1) ??
    duration('hookTimeout', options.hookTimeout, 1) ??
    DEFAULTS.hookTimeout;

  const checks = resolveChecks(options.checks, checkTimeout);
  const hooks = resolveHooks(options.onShutdown, hookTimeout);

  if (options.startup !== undefined && !isFunction(options.startup))
    throw optionsError('option startup must be a function');

  const probePort = envNumber(env, 'ZERODROP_PROBE_PORT', 0, true) ?? options.probePort;
  if (probePort !== undefined && (!Number.isInteger(probePort) || probePort < 0 || probePort > 65535)) {
    throw optionsError(`option probePort must be a port number (0-65535), got ${JSON.stringify(probePort)}`);
  }
  const prestopToken = env.ZERODROP_PRESTOP_TOKEN || options.prestopToken || undefined;
  if (prestopToken !== undefined && typeof prestopToken !== 'string')
    throw optionsError('option prestopToken must be a string');

  const maxConnections = envNumber(env, 'ZERODROP_MAX_CONNECTIONS', 0, true) ?? options.maxConnections;
  if (maxConnections !== undefined && (!Number.isInteger(maxConnections) || maxConnections < 0)) {
    throw optionsError(
      `option maxConnections must be an integer >= 0 (0: no cap), got ${JSON.stringify(maxConnections)}`,
    );
  }

  let signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  if (options.signals === false) signals = [];
  else if (options.signals !== undefined) {
    if (!Array.isArray(options.signals) || options.signals.some((s) => typeof s !== 'string' || !s.startsWith('SIG'))) {
      throw optionsError('option signals must be an array of signal names like ["SIGTERM"], or false');
    }
    signals = options.signals;
  }

  let logger: Logger;
  if (env.ZERODROP_LOG?.toLowerCase() === 'off' || options.logger === false) logger = silentLogger;
  else if (options.logger === undefined) logger = safeLogger(jsonLogger());
  else if (
    ['info', 'warn', 'error'].every((level) =>
      isFunction((options.logger as unknown as Record<string, unknown>)[level]),
    )
  ) {
    logger = safeLogger(options.logger);
  } else throw optionsError('option logger must have info, warn and error methods (pino and console do), or be false');

  const paths = {
    live: path(env, 'live', options.paths?.live, DEFAULTS.paths.live),
    ready: path(env, 'ready', options.paths?.ready, DEFAULTS.paths.ready),
    startup: path(env, 'startup', options.paths?.startup, DEFAULTS.paths.startup),
    prestop: path(env, 'prestop', options.paths?.prestop, DEFAULTS.paths.prestop),
  };
  if (new Set(Object.values(paths)).size !== 4) throw optionsError('options.paths must be four different paths');

  return {
    checks,
    checkTimeout,
    checkCacheTtl,
    drainDelay,
    shutdownTimeout,
    idleSocketTimeout,
    hooks,
    hookTimeout,
    startup: options.startup,
    manualReady: options.manualReady === true,
    paths,
    probePort,
    probeHost: env.ZERODROP_PROBE_HOST || options.probeHost,
    prestopToken,
    exposeDetails: envBoolean(env, 'ZERODROP_EXPOSE_DETAILS') ?? options.exposeDetails === true,
    maxConnections,
    holdSignalListeners: envBoolean(env, 'ZERODROP_HOLD_SIGNAL_LISTENERS') ?? options.holdSignalListeners === true,
    signals,
    exit: options.exit !== false,
    logger,
    pid1Warning: envBoolean(env, 'ZERODROP_PID1_WARNING') ?? options.pid1Warning !== false,
    speed,
  };
}

/** Validate readiness checks (from options, or a checks module of the preload). */
export function resolveChecks(input: unknown, checkTimeout: number): ResolvedOptions['checks'] {
  const checks: ResolvedOptions['checks'] = [];
  if (input === undefined) return checks;
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw optionsError('option checks must be an object of name -> check function');
  for (const [name, check] of Object.entries(input as Record<string, unknown>)) {
    if (isFunction(check)) checks.push({ name, run: check as CheckFunction, timeout: checkTimeout });
    else if (typeof check === 'object' && check !== null && isFunction((check as CheckDefinition).run)) {
      const definition = check as CheckDefinition;
      checks.push({
        name,
        run: definition.run,
        timeout: duration(`checks.${name}.timeout`, definition.timeout, 1) ?? checkTimeout,
      });
    } else throw optionsError(`checks.${name} must be a function (signal) => Promise or { run, timeout }`);
  }
  return checks;
}

/** Validate cleanup hooks (from options, or a checks module of the preload). */
export function resolveHooks(input: unknown, hookTimeout: number): ResolvedOptions['hooks'] {
  const list = input === undefined ? [] : Array.isArray(input) ? input : [input];
  return list.map((hook: unknown, index) => {
    if (isFunction(hook))
      return { name: hook.name || `onShutdown[${index}]`, run: hook as ShutdownHookFunction, timeout: hookTimeout };
    if (typeof hook === 'object' && hook !== null && isFunction((hook as ShutdownHookDefinition).run)) {
      const definition = hook as ShutdownHookDefinition;
      return {
        name: typeof definition.name === 'string' ? definition.name : `onShutdown[${index}]`,
        run: definition.run,
        timeout: duration(`onShutdown[${index}].timeout`, definition.timeout, 1) ?? hookTimeout,
      };
    }
    throw optionsError(`onShutdown[${index}] must be a function or { name, run, timeout }`);
  });
}
