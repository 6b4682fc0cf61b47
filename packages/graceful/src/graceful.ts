import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { ConnectionTracker, type OpenSummary } from './connections.js';
import { GracefulError } from './errors.js';
import { ReadinessChecks, type ReadinessReport } from './health.js';
import { errorFields, type Logger } from './logger.js';
import { type GracefulOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { signalForwardingProblem } from './pid1.js';
import { matchProbe, type ProbeContext, type ProbeExchange, probeBody, serveProbe } from './probes.js';

/** Lifecycle: starting -> ready -> draining (first termination sign) -> closing (listener closed) -> closed. */
export type GracefulState = 'starting' | 'ready' | 'draining' | 'closing' | 'closed';

/** How the shutdown ended. */
export interface ShutdownResult {
  /** 0 drained, 1 hard deadline hit, 130 forced by a second SIGINT. */
  exitCode: 0 | 1 | 130;
  /** The first termination sign: 'SIGTERM', 'SIGINT', 'prestop', or the reason given to shutdown(). */
  reason: string;
  /** ms from the first termination sign to closed. */
  durationMs: number;
  /** What was still open and got cut (deadline or forced exit only). */
  cut?: OpenSummary;
}

export interface GracefulEvents {
  /** Started: listening, `startup` done, `ready()` called when `manualReady`. */
  ready: [];
  /** First termination sign: readiness 503, every response `Connection: close`. */
  draining: [reason: string];
  /** Drain delay over: the listener is closed, idle sockets and long-lived streams are being closed. */
  closing: [];
  /** Everything closed and cleanup hooks done (or the deadline hit). Emitted before process.exit. */
  closed: [result: ShutdownResult];
  /** Every state change. */
  state: [state: GracefulState];
}

/** Options of {@link GracefulHandle.shutdown}. */
export interface ShutdownOptions {
  /** Override the drain delay for this shutdown (ms, used as given). */
  drainDelay?: number;
}

/** Anything with the shape of a node:http, https or http2 server. */
export type NodeServer = net.Server;

type EmitFunction = (event: string | symbol, ...args: unknown[]) => boolean;

const ATTACHED = Symbol.for('zerodrop.graceful.attached');
let pid1Warned = false;

/** The handle returned by {@link graceful}: state, events, and the controls of the drain. */
export class GracefulHandle extends EventEmitter<GracefulEvents> {
  /** The app server this handle drains. */
  readonly server: NodeServer;
  /** The separate probe server when `probePort` is set (its own tiny node:http server). */
  readonly probeServer: http.Server | undefined;
  /** Resolves when the shutdown is over (also when `exit: true`, just before process.exit). */
  readonly closed: Promise<ShutdownResult>;

  private readonly options: ResolvedOptions;
  private readonly logger: Logger;
  private readonly tracker: ConnectionTracker;
  private readonly checks: ReadinessChecks;
  private currentState: GracefulState = 'starting';
  private listening = false;
  private startupDone: boolean;
  private manualDone: boolean;
  private startedAt: number | undefined;
  private shutdownAt = 0;
  private reason = '';
  private drainTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private finishing = false;
  private currentHook: string | undefined;
  private probeInFlight = 0;
  private readonly prestopWaiters: (() => void)[] = [];
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();
  private resolveClosed!: (result: ShutdownResult) => void;

  constructor(server: NodeServer, options: GracefulOptions = {}) {
    super();
    assertServer(server);
    this.options = resolveOptions(options);
    this.logger = this.options.logger;
    this.server = server;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.startupDone = this.options.startup === undefined;
    this.manualDone = !this.options.manualReady;
    const keepAliveTimeout = (server as Partial<http.Server>).keepAliveTimeout;
    // Under ZERODROP_SPEED the rehearsal compresses the whole termination, so the default idle wait shrinks with it
    // (an explicit idleSocketTimeout is taken as written).
    const idleDefault = (keepAliveTimeout ?? 5000) / this.options.speed;
    this.tracker = new ConnectionTracker(this.options.idleSocketTimeout ?? idleDefault, () => this.maybeFinish());
    this.checks = new ReadinessChecks(this.options.checks, this.options.checkCacheTtl, this.logger);
    this.intercept(server);
    this.probeServer = this.options.probePort === undefined ? undefined : this.startProbeServer(this.options.probePort);
    this.watchStartup(server);
    for (const signal of this.options.signals) {
      const handler = () => this.onSignal(signal);
      this.signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
    if (this.options.pid1Warning && !pid1Warned) {
      pid1Warned = true;
      const problem = signalForwardingProblem();
      if (problem) this.logger.warn({ event: 'signal_forwarding' }, `SIGTERM may never reach this process: ${problem}`);
    }
  }

  /** The current lifecycle state. */
  get state(): GracefulState {
    return this.currentState;
  }

  /** What is still open: in-flight requests (with URLs), sockets, HTTP/2 sessions, tracked streams. */
  open(): OpenSummary {
    return this.tracker.summary();
  }

  /** Mark the app started (needed with `manualReady: true`; harmless otherwise). */
  ready(): void {
    this.manualDone = true;
    this.maybeStarted();
  }

  /** Run the readiness checks now (cached like the probe). */
  readiness(): Promise<ReadinessReport> {
    return this.checks.run();
  }

  /**
   * Start the drain programmatically (same as the first SIGTERM). Resolves when the shutdown is over. Calling it
   * again returns the same promise.
   */
  shutdown(reason = 'shutdown()', options: ShutdownOptions = {}): Promise<ShutdownResult> {
    this.beginShutdown(reason, options.drainDelay ?? this.options.drainDelay);
    return this.closed;
  }

  /**
   * Count a long-lived stream (WebSocket, SSE response) in the drain and tell it to close when the listener closes
   * (after the drain delay, when traffic consumers have moved, so the client reconnects to another replica).
   * Default close: a `ws` WebSocket gets close code 1001 "going away"; a response gets `end()`. Pass `close` to say
   * goodbye your way (e.g. an SSE `event: close`). Returns a function that stops tracking it.
   */
  trackStream(stream: object, close?: () => void): () => void {
    const target = stream as {
      close?: (code?: number, reason?: string) => void;
      end?: () => void;
      readyState?: unknown;
      once?: (event: string, cb: () => void) => void;
    };
    const closer =
      close ??
      (() => {
        if (typeof target.close === 'function' && target.readyState !== undefined)
          target.close(1001, 'server shutting down');
        else if (typeof target.end === 'function') target.end();
        else if (typeof target.close === 'function') target.close();
      });
    return this.tracker.trackStream({ close: closer }, (done) => {
      if (typeof target.once === 'function') target.once('close', done);
    });
  }

  private setState(state: GracefulState): void {
    this.currentState = state;
    this.emit('state', state);
  }

  private watchStartup(server: NodeServer): void {
    if (server.listening) this.listening = true;
    else
      server.once('listening', () => {
        this.listening = true;
        this.maybeStarted();
      });
    if (this.options.startup) {
      Promise.resolve()
        .then(this.options.startup)
        .then(
          () => {
            this.startupDone = true;
            this.maybeStarted();
          },
          (error: unknown) =>
            this.logger.error(
              { event: 'startup_failed', ...errorFields(error) },
              'startup failed: staying "starting" (the startup probe fails and the kubelet restarts the container)',
            ),
        );
    }
    // Let listeners attach before the first 'ready'.
    queueMicrotask(() => this.maybeStarted());
  }

  private maybeStarted(): void {
    if (this.currentState !== 'starting' || !this.listening || !this.startupDone || !this.manualDone) return;
    this.startedAt = Date.now();
    this.setState('ready');
    this.logger.info({ event: 'ready' }, 'ready');
    this.emit('ready');
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.currentState === 'starting' || this.currentState === 'ready') {
      this.beginShutdown(signal, this.options.drainDelay);
      return;
    }
    if (signal === 'SIGINT') {
      this.logger.warn({ event: 'forced', signal }, 'second interrupt: exiting now');
      const cut = this.tracker.summary();
      this.tracker.destroyAll();
      this.finish(130, cut);
      return;
    }
    this.logger.info(
      { event: 'signal_ignored', signal, state: this.currentState },
      `${signal} while ${this.currentState}: the drain already runs`,
    );
  }

  private beginShutdown(reason: string, drainDelay: number): void {
    if (this.currentState !== 'starting' && this.currentState !== 'ready') return;
    this.shutdownAt = Date.now();
    this.reason = reason;
    this.setState('draining');
    this.logger.info(
      { event: 'draining', reason, drainDelayMs: drainDelay, shutdownTimeoutMs: this.options.shutdownTimeout },
      `draining (${reason}): readiness 503, Connection: close on every response; listener closes in ${drainDelay} ms`,
    );
    this.tracker.startDrain();
    this.emit('draining', reason);
    this.deadlineTimer = setTimeout(() => this.deadline(), this.options.shutdownTimeout);
    this.drainTimer = setTimeout(() => this.startClosing(), drainDelay);
  }

  private startClosing(): void {
    if (this.currentState !== 'draining') return;
    this.setState('closing');
    // Stop accepting connections without Node's closeIdleConnections(): the tracker closes idle sockets itself.
    net.Server.prototype.close.call(this.server, () => {});
    this.tracker.startClosing();
    this.logger.info(
      { event: 'closing', ...this.tracker.summary() },
      'listener closed; waiting for in-flight requests',
    );
    this.emit('closing');
    for (const release of this.prestopWaiters.splice(0)) release();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.currentState !== 'closing' || this.finishing) return;
    if (!this.tracker.isEmpty() || this.probeInFlight > 0) return;
    this.finishing = true;
    void this.runHooks().then(() => this.finish(0));
  }

  private async runHooks(): Promise<void> {
    for (const hook of this.options.hooks) {
      if (this.currentState === 'closed') return;
      this.currentHook = hook.name;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(hook.run),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${hook.timeout} ms`)), hook.timeout);
          }),
        ]);
      } catch (error) {
        this.logger.error(
          { event: 'hook_failed', hook: hook.name, ...errorFields(error) },
          `cleanup hook "${hook.name}" failed`,
        );
      } finally {
        clearTimeout(timer);
      }
    }
    this.currentHook = undefined;
  }

  private deadline(): void {
    if (this.currentState === 'closed') return;
    const cut = this.tracker.summary();
    this.logger.error(
      { event: 'deadline', ...cut, hook: this.currentHook, shutdownTimeoutMs: this.options.shutdownTimeout },
      `shutdown deadline (${this.options.shutdownTimeout} ms) reached: cutting ${cut.requests} request(s), ` +
        `${cut.sockets} socket(s), ${cut.http2Sessions} HTTP/2 session(s), ${cut.streams} stream(s)` +
        (cut.urls.length ? `: ${cut.urls.join(', ')}` : '') +
        (this.currentHook ? `; cleanup hook "${this.currentHook}" still running` : ''),
    );
    this.tracker.destroyAll();
    this.finish(1, cut);
  }

  private finish(exitCode: 0 | 1 | 130, cut?: OpenSummary): void {
    if (this.currentState === 'closed') return;
    clearTimeout(this.drainTimer);
    clearTimeout(this.deadlineTimer);
    for (const release of this.prestopWaiters.splice(0)) release();
    this.setState('closed');
    if (this.probeServer) {
      this.probeServer.close();
      this.probeServer.closeAllConnections();
    }
    if (!this.options.exit) for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    const result: ShutdownResult = {
      exitCode,
      reason: this.reason || 'forced',
      durationMs: Date.now() - this.shutdownAt,
    };
    if (cut) result.cut = cut;
    this.logger.info({ event: 'closed', exitCode, durationMs: result.durationMs }, `closed, exit code ${exitCode}`);
    this.emit('closed', result);
    this.resolveClosed(result);
    if (this.options.exit) process.exit(exitCode);
  }

  private probeContext(): ProbeContext {
    return {
      options: this.options,
      state: () => this.currentState,
      started: () => this.startedAt !== undefined,
      draining: () => this.currentState !== 'starting' && this.currentState !== 'ready',
      readiness: () => this.checks.run(),
      cachedReadiness: () => this.checks.fresh(),
      prestop: () => {
        if (this.currentState === 'closing' || this.currentState === 'closed') return Promise.resolve();
        const released = new Promise<void>((resolve) => this.prestopWaiters.push(resolve));
        this.beginShutdown('prestop', this.options.drainDelay);
        return released;
      },
    };
  }

  /** Serve probe routes before the app's handler, and track every request, whatever framework sits on top. */
  private intercept(server: NodeServer): void {
    const marked = server as unknown as Record<symbol, unknown>;
    if (marked[ATTACHED]) {
      throw new GracefulError(
        'ERR_ZERODROP_ALREADY_ATTACHED',
        'graceful() was already called on this server; keep the first handle and reuse it',
      );
    }
    marked[ATTACHED] = true;
    const ctx = this.probeContext();
    const tracker = this.tracker;
    const paths = this.options.paths;
    const isHttp2 = typeof (server as unknown as { updateSettings?: unknown }).updateSettings === 'function';
    const target = server as unknown as { emit: EmitFunction };
    const originalEmit = target.emit;
    target.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'request') {
        const req = args[0] as IncomingMessage;
        // HTTP/2 compat requests were tracked (and probes served) at the 'stream' level.
        if (req.httpVersionMajor < 2) {
          const res = args[1] as ServerResponse;
          tracker.onHttp1Request(req, res);
          const kind = matchProbe(req.url ?? '/', paths);
          if (kind) {
            serveProbe(kind, http1Exchange(req, res, 'app'), ctx);
            return true;
          }
        }
      } else if (event === 'stream') {
        const stream = args[0] as ServerHttp2Stream;
        const headers = args[1] as IncomingHttpHeaders;
        const url = headers[':path'] ?? '/';
        tracker.onHttp2Stream(stream, headers[':method'] ?? '?', url);
        const kind = matchProbe(url, paths);
        if (kind) {
          serveProbe(kind, http2Exchange(stream, headers), ctx);
          return true;
        }
      } else if (event === 'upgrade') {
        tracker.onUpgrade(args[1] as Socket);
      }
      return originalEmit.call(this, event, ...args);
    };
    if (isHttp2) server.on('session', (session) => tracker.onHttp2Session(session));
    else
      server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (socket: Socket) =>
        tracker.addSocket(socket),
      );
  }

  private startProbeServer(port: number): http.Server {
    const ctx = this.probeContext();
    const probeServer = http.createServer((req, res) => {
      this.probeInFlight++;
      let done = false;
      const finished = () => {
        if (done) return;
        done = true;
        this.probeInFlight--;
        this.maybeFinish();
      };
      res.once('finish', finished);
      res.once('close', finished);
      const kind = matchProbe(req.url ?? '/', this.options.paths);
      const exchange = http1Exchange(req, res, 'probe');
      if (kind) serveProbe(kind, exchange, ctx);
      else exchange.reply(404, { status: 'not found' });
    });
    probeServer.on('error', (error) =>
      this.logger.error(
        { event: 'probe_server_failed', port, ...errorFields(error) },
        `probe server could not listen on port ${port}`,
      ),
    );
    probeServer.listen(port, this.options.probeHost);
    return probeServer;
  }
}

function http1Exchange(req: IncomingMessage, res: ServerResponse, port: 'app' | 'probe'): ProbeExchange {
  const method = req.method ?? 'GET';
  return {
    method,
    url: req.url ?? '/',
    port,
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    reply: (status, body, headers) => {
      if (res.headersSent || res.writableEnded || res.destroyed) return;
      const out = probeBody(method, body, headers);
      res.writeHead(status, out.headers);
      res.end(out.text);
    },
  };
}

function http2Exchange(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): ProbeExchange {
  const method = String(headers[':method'] ?? 'GET');
  return {
    method,
    url: String(headers[':path'] ?? '/'),
    port: 'app',
    header: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    reply: (status, body, extra) => {
      if (stream.destroyed || stream.headersSent) return;
      const out = probeBody(method, body, extra);
      stream.respond({ ':status': status, ...out.headers });
      stream.end(out.text);
    },
  };
}

function assertServer(server: unknown): asserts server is NodeServer {
  const s = server as Partial<NodeServer> | null;
  if (
    !s ||
    typeof s.on !== 'function' ||
    typeof s.emit !== 'function' ||
    typeof s.listen !== 'function' ||
    !(s instanceof net.Server)
  ) {
    throw new GracefulError(
      'ERR_ZERODROP_SERVER',
      'graceful(server): server must be a node:http, https or http2 server (e.g. the return value of app.listen() or http.createServer()); for Fastify pass fastify.server or use @zerodrop/graceful/fastify',
    );
  }
}

/**
 * Attach probes (live / ready / startup / prestop) and the zero-drop drain to a node:http, https or http2 server.
 * Call it right after creating (or listening on) the server. Throws GracefulError (ERR_ZERODROP_OPTIONS) on bad
 * options.
 */
export function graceful(server: NodeServer, options?: GracefulOptions): GracefulHandle {
  return new GracefulHandle(server, options);
}
