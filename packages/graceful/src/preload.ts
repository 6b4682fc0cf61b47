import * as http from 'node:http';
import * as https from 'node:https';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import * as tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { GracefulError } from './errors.js';
import { GracefulHandle } from './graceful.js';
import { describe, errorFields, type Logger } from './logger.js';
import { type GracefulOptions, resolveChecks, resolveHooks, resolveOptions } from './options.js';
import { isPackageManager } from './pid1.js';
import { installSignalGate } from './signals.js';

/** The environment variables only the preload reads (every other ZERODROP_* is read by the engine). */
export const PRELOAD_ENVIRONMENT = {
  ZERODROP_PORT: 'which server to attach to: the one listening on this port (default: $PORT; neither: the first)',
  ZERODROP_CHECKS: 'a module exporting `checks` (readiness) and/or `onShutdown` (cleanup hooks), path from the cwd',
  ZERODROP_ATTACH_TIMEOUT_MS: 'warn when no server was attached within this many ms (default 30000)',
  ZERODROP_WARMUP_PATH:
    "started (startup/readiness 200) only once the app's handler answered a GET of this path with anything but 502/503/504 (default /; off: at listen)",
} as const;

const REGISTERED = Symbol.for('zerodrop.graceful.preload');
const DEFAULT_ATTACH_TIMEOUT = 30_000;
/** Statuses that mean "not serving yet" (a framework that answers while it starts, a proxy in front). */
const NOT_YET = new Set([502, 503, 504]);
const WARMUP_RETRY_MS = 250;

type Env = Record<string, string | undefined>;

interface ChecksModule {
  checks?: unknown;
  onShutdown?: unknown;
}

/** What kind of HTTP server this is, or undefined for anything else (a raw TCP server, an IPC socket). */
function serverKind(server: net.Server): string | undefined {
  if (server instanceof https.Server) return 'https.Server';
  if (server instanceof http.Server) return 'http.Server';
  if (typeof (server as unknown as { updateSettings?: unknown }).updateSettings === 'function') {
    return server instanceof tls.Server ? 'http2 secure server' : 'http2 server';
  }
  return undefined;
}

function where(address: ReturnType<net.Server['address']>): string {
  if (address === null) return '?';
  if (typeof address === 'string') return address;
  return `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

/** A clear one-line error for a bad ZERODROP_* value at start: no stack trace, exit 1. */
function fail(message: string): never {
  process.stderr.write(`@zerodrop/graceful/register: ${message}\n`);
  process.exit(1);
}

function attachTimeout(env: Env): number {
  const raw = env.ZERODROP_ATTACH_TIMEOUT_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_ATTACH_TIMEOUT;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    fail(
      `environment variable ZERODROP_ATTACH_TIMEOUT_MS=${JSON.stringify(raw)} is not a number >= 0; set it to a number of ms like 30000 or unset it`,
    );
  }
  return value;
}

/** The port the app's server listens on, from ZERODROP_PORT or PORT; undefined (or 0): the first server. */
function targetPort(env: Env): { port: number | undefined; from: string } {
  for (const name of ['ZERODROP_PORT', 'PORT']) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      if (name === 'ZERODROP_PORT')
        fail(
          `environment variable ZERODROP_PORT=${JSON.stringify(raw)} is not a port number (0-65535); set the port the app listens on, or unset it`,
        );
      continue; // PORT belongs to the app: something else than a number is its business
    }
    if (port === 0) break; // an ephemeral port: whichever HTTP server listens first
    return { port, from: `$${name}` };
  }
  return { port: undefined, from: 'the first HTTP server' };
}

/** Where a local client reaches a server that listens on `address` (a wildcard means every interface). */
function loopback(address: net.AddressInfo): string {
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '::1';
  return address.address;
}

/**
 * Resolves once the app's own handler answered `GET path` (anything but 502/503/504): a server that listens before
 * its framework can serve (Next.js listens first, then loads its config and routes) is not started before that.
 */
function warmUp(server: net.Server, path: string, logger: Logger): Promise<void> {
  const address = server.address();
  if (typeof address !== 'object' || address === null || serverKind(server)?.startsWith('http2'))
    return Promise.resolve();
  const secure = server instanceof https.Server;
  const startedAt = Date.now();
  let warned = false;
  return new Promise<void>((resolve) => {
    const attempt = (last: string) => {
      if (!server.listening) return; // closed before it ever answered: nothing to wait for
      if (!warned && Date.now() - startedAt > DEFAULT_ATTACH_TIMEOUT) {
        warned = true;
        logger.warn(
          { event: 'warmup_pending', path, last },
          `the app has not answered GET ${path} for ${DEFAULT_ATTACH_TIMEOUT} ms (last: ${last}): still "starting" (ZERODROP_WARMUP_PATH picks another path, off skips this)`,
        );
      }
      const request = (secure ? https : http).request(
        {
          host: loopback(address),
          port: address.port,
          path,
          method: 'GET',
          agent: false,
          headers: { 'user-agent': 'zerodrop-warmup', connection: 'close' },
          ...(secure ? { rejectUnauthorized: false } : {}),
        },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          if (NOT_YET.has(status)) setTimeout(attempt, WARMUP_RETRY_MS, `HTTP ${status}`).unref();
          else {
            logger.info(
              { event: 'warm', path, status, ms: Date.now() - startedAt },
              `the app answered GET ${path} (${status}) ${Date.now() - startedAt} ms after listening: started`,
            );
            resolve();
          }
        },
      );
      request.on('error', (error) => setTimeout(attempt, WARMUP_RETRY_MS, errorFields(error).error).unref());
      request.end();
    };
    attempt('none yet');
  });
}

/** Import the ZERODROP_CHECKS module (a path from the cwd, or a package name). */
async function loadChecksModule(specifier: string): Promise<ChecksModule> {
  const cwd = process.cwd();
  const url =
    specifier.startsWith('.') || isAbsolute(specifier)
      ? pathToFileURL(resolve(cwd, specifier)).href
      : pathToFileURL(createRequire(resolve(cwd, 'noop.js')).resolve(specifier)).href;
  const mod = (await import(url)) as ChecksModule & { default?: ChecksModule };
  const pick = (key: keyof ChecksModule) =>
    mod[key] ?? (typeof mod.default === 'object' && mod.default !== null ? mod.default[key] : undefined);
  const found = { checks: pick('checks'), onShutdown: pick('onShutdown') };
  if (found.checks === undefined && found.onShutdown === undefined) {
    throw new Error('it exports neither `checks` nor `onShutdown` (named, or as properties of its default export)');
  }
  return found;
}

/**
 * The zero-code preload (`node --import @zerodrop/graceful/register app.js`): attaches the drain and the probes to
 * the HTTP server the process starts listening on $PORT, configured from ZERODROP_* only, and holds the other
 * SIGTERM/SIGINT listeners (a framework's own, which would exit mid-drain) until the drain is over.
 */
export function registerPreload(env: Env = process.env): void {
  // Worker threads and package managers (NODE_OPTIONS reaches them too) serve nothing.
  if (!isMainThread || isPackageManager()) return;
  const global = globalThis as Record<symbol, unknown>;
  if (global[REGISTERED]) return; // --import and --require, or NODE_OPTIONS and a flag: once is enough
  global[REGISTERED] = true;

  const options: GracefulOptions = { holdSignalListeners: true };
  let logger: Logger;
  let hold: boolean;
  let paths: string;
  try {
    const resolved = resolveOptions(options, env);
    logger = resolved.logger;
    hold = resolved.holdSignalListeners;
    paths = [resolved.paths.live, resolved.paths.ready, resolved.paths.startup].join(', ');
  } catch (error) {
    fail(error instanceof GracefulError ? error.message : describe(error));
  }
  const timeout = attachTimeout(env);
  const warmupPath = env.ZERODROP_WARMUP_PATH?.trim() || '/';
  if (warmupPath !== 'off' && !warmupPath.startsWith('/'))
    fail(
      `environment variable ZERODROP_WARMUP_PATH=${JSON.stringify(warmupPath)} must be a path starting with "/", or off`,
    );
  targetPort(env); // validates ZERODROP_PORT now, not at the first listen
  // Before the app adds its own listeners, so that Node binds the gate (see signals.ts).
  if (hold) installSignalGate();

  let handle: GracefulHandle | undefined;
  let loaded: ChecksModule | undefined;
  const checksSpecifier = env.ZERODROP_CHECKS?.trim() || undefined;
  const checksLoaded = checksSpecifier
    ? loadChecksModule(checksSpecifier).then(
        (mod) => {
          loaded = mod;
          try {
            if (handle) handle.extend(mod as Parameters<GracefulHandle['extend']>[0]);
            else {
              // Validate now, with the same rules the handle applies at attach.
              const resolved = resolveOptions({}, env);
              resolveChecks(mod.checks, resolved.checkTimeout);
              resolveHooks(mod.onShutdown, resolved.hookTimeout);
            }
          } catch (error) {
            fail(
              `ZERODROP_CHECKS=${checksSpecifier}: ${error instanceof GracefulError ? error.message : describe(error)}`,
            );
          }
        },
        (error: unknown) =>
          fail(
            `ZERODROP_CHECKS=${checksSpecifier}: cannot load it (${errorFields(error).error}); point it at a module ` +
              '(path from the working directory) that exports `checks` and/or `onShutdown`',
          ),
      )
    : undefined;

  const seen: string[] = [];
  const watched = new WeakSet<net.Server>();
  const onListening = (server: net.Server) => {
    if (handle) return;
    const kind = serverKind(server);
    const address = server.address();
    const { port, from } = targetPort(env);
    const listeningPort = typeof address === 'object' && address !== null ? address.port : undefined;
    if (!kind || (port !== undefined && listeningPort !== port)) {
      seen.push(`${where(address)} (${kind ?? 'not an HTTP server'})`);
      return;
    }
    // Started once the checks module is in and the app's own handler answers.
    const gates = [checksLoaded, warmupPath === 'off' ? undefined : warmUp(server, warmupPath, logger)];
    const pending = gates.filter((gate): gate is Promise<void> => gate !== undefined);
    const startup = pending.length > 0 ? () => Promise.all(pending) : undefined;
    try {
      handle = new GracefulHandle(server, startup ? { ...options, startup } : options);
    } catch (error) {
      if (error instanceof GracefulError && error.code === 'ERR_ZERODROP_ALREADY_ATTACHED') {
        logger.info(
          { event: 'preload_not_needed', address: where(address) },
          `the app attached @zerodrop/graceful to ${where(address)} itself; the preload stays out`,
        );
        return;
      }
      fail(error instanceof GracefulError ? error.message : describe(error));
    }
    if (loaded) handle.extend(loaded as Parameters<GracefulHandle['extend']>[0]);
    logger.info(
      {
        event: 'attached',
        server: kind,
        address: where(address),
        port: listeningPort,
        chosenBy: from,
        pid: process.pid,
      },
      `attached to the ${kind} listening on ${where(address)} (${from === 'the first HTTP server' ? from : `${from}=${listeningPort}`}): ` +
        `probes ${paths}; drain on SIGTERM/SIGINT` +
        (hold ? "; the app's own SIGTERM/SIGINT listeners run after the drain" : ''),
    );
  };

  const originalListen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    if (!handle && !watched.has(this)) {
      watched.add(this);
      // First in line: the drain is attached before the app's own 'listening' code and before any connection.
      this.prependListener('listening', () => onListening(this));
    }
    return (originalListen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof net.Server.prototype.listen;

  setTimeout(() => {
    if (handle) return;
    const { port, from } = targetPort(env);
    logger.warn(
      { event: 'not_attached', port, seen, afterMs: timeout },
      `no HTTP server listened on ${port === undefined ? 'any port' : `port ${port} (${from})`} within ${timeout} ms: ` +
        '@zerodrop/graceful is not attached' +
        (seen.length ? ` (servers seen: ${seen.join(', ')}; set ZERODROP_PORT to the app's port)` : '') +
        '; a process that serves nothing (a build, a script) can ignore this',
    );
  }, timeout).unref();
}
