import { EventEmitter } from 'node:events';
import type * as http from 'node:http';
import type { Http2Session } from 'node:http2';
import * as net from 'node:net';
import { ConnectionTracker, type OpenSummary, type TrackedSocket, type TrackerReport } from './connections.js';
import { GracefulError } from './errors.js';
import { ReadinessChecks, type ReadinessReport } from './health.js';
import { createProbeServer, interceptServer } from './intercept.js';
import { defaultConnectionCap } from './limits.js';
import { errorFields, type Logger, settle } from './logger.js';
import {
  type CheckDefinition,
  type CheckFunction,
  type GracefulOptions,
  type ResolvedOptions,
  resolveChecks,
  resolveHooks,
  resolveOptions,
  type ShutdownHook,
} from './options.js';
import { signalForwardingProblem } from './pid1.js';
import type { ProbeContext } from './probes.js';
import { deliverHeldSignals, gateBypassed, ownSignal, releaseSignals } from './signals.js';

/** Lifecycle: starting -> ready -> draining (first termination sign) -> closing (listener closed) -> closed. */
export type GracefulState = 'starting' | 'ready' | 'draining' | 'closing' | 'closed';

/** How the shutdown ended. */
export interface ShutdownResult {
  /** 0 drained, 1 hard deadline hit with work still running, 130 forced by a second SIGINT. */
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

let pid1Warned = false;
/** At most one "connection limit" warning per this many ms. */
const CAP_WARNING_INTERVAL = 10_000;

/**
 * When to close an idle keep-alive socket once the listener is closed, in ms from `now` (0: now).
 * - Its last response said `Connection: close`: now (the client will not reuse it).
 * - Otherwise when the keep-alive time the server promised (`idleTimeout` after its last response) runs out: a
 *   client that honours the promise (Node's agent, undici) closes it first, so the close races nobody.
 * - Unless that moment is past `latestAt` (the last moment the shutdown budget allows): then now. Waiting part of a
 *   promise the budget cannot keep makes the close no safer, only the exit later (Fastify promises 72 s).
 */
export function idleCloseDelay(
  socket: Pick<TrackedSocket, 'closeSent' | 'lastActive'>,
  now: number,
  idleTimeout: number,
  latestAt: number,
): number {
  if (socket.closeSent) return 0;
  const at = socket.lastActive + idleTimeout;
  if (at > latestAt) return 0;
  return Math.max(0, at - now);
}

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
  private readonly hooks: ResolvedOptions['hooks'];
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
  private readonly signalHandlers = new Map<NodeJS.Signals, (signal: NodeJS.Signals) => void>();
  private readonly idleTimers = new Map<TrackedSocket, NodeJS.Timeout>();
  /** Decided at closing: how long an idle keep-alive socket may stay, and the latest moment any may. */
  private idleTimeout = 0;
  private latestIdleCloseAt = 0;
  private closedEarly = 0;
  private readonly connectionCap: number | undefined;
  private capWarnedAt = 0;
  private resolveClosed!: (result: ShutdownResult) => void;

  constructor(server: NodeServer, options: GracefulOptions = {}) {
    super();
    assertServer(server);
    this.options = resolveOptions(options);
    this.logger = this.options.logger;
    this.server = server;
    this.hooks = [...this.options.hooks];
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.startupDone = this.options.startup === undefined;
    this.manualDone = !this.options.manualReady;
    this.connectionCap = this.decideConnectionCap(server);
    this.tracker = new ConnectionTracker(this.trackerReport());
    this.checks = new ReadinessChecks(this.options.checks, this.options.checkCacheTtl, this.logger);
    const ctx = this.probeContext();
    interceptServer(server, this.tracker, ctx, this.options);
    this.probeServer = this.options.probePort === undefined ? undefined : this.startProbeServer(ctx);
    if (this.options.holdSignalListeners) this.wrapServerClose(server);
    this.watchStartup(server);
    for (const signal of this.options.signals) {
      const handler = (received: NodeJS.Signals) => this.onSignal(received ?? signal);
      this.signalHandlers.set(signal, handler);
      if (this.options.holdSignalListeners) ownSignal(signal, handler);
      else process.on(signal, handler);
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
   * Add readiness checks and cleanup hooks after creation (a client created later; the preload's checks module).
   * Validated like the options; hooks run after the ones given before. Throws GracefulError on bad input.
   */
  extend(more: {
    checks?: Record<string, CheckFunction | CheckDefinition>;
    onShutdown?: ShutdownHook | ShutdownHook[];
  }) {
    const checks = resolveChecks(more.checks, this.options.checkTimeout);
    const hooks = resolveHooks(more.onShutdown, this.options.hookTimeout);
    if (checks.length > 0) this.checks.add(checks);
    this.hooks.push(...hooks);
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
    const tracked = { close: closer };
    const untrack = this.tracker.trackStream(tracked, (done) => {
      if (typeof target.once === 'function') target.once('close', done);
    });
    if (this.currentState === 'closing') this.closeStream(tracked);
    return untrack;
  }

  // ---- what the tracker reports, and what the lifecycle decides about it ----

  private trackerReport(): TrackerReport {
    return {
      accepted: (socket) => this.enforceConnectionCap(socket),
      idle: (socket) => {
        if (this.currentState === 'closing') this.scheduleIdleClose(socket);
      },
      busy: (socket) => this.clearIdleTimer(socket),
      sessionIdle: (session: Http2Session) => {
        if (this.currentState === 'closing') this.tracker.closeSessionIfIdle(session);
      },
      changed: () => this.maybeFinish(),
    };
  }

  private decideConnectionCap(server: NodeServer): number | undefined {
    // The server's own maxConnections (Node drops past it) is the app's decision.
    if (typeof server.maxConnections === 'number' && Number.isFinite(server.maxConnections)) return undefined;
    const configured = this.options.maxConnections;
    if (configured === 0) return undefined;
    return configured ?? defaultConnectionCap();
  }

  /** Past the cap, the longest-idle keep-alive connection gives way (or the new one, when none is idle). */
  private enforceConnectionCap(accepted: TrackedSocket): void {
    if (this.connectionCap === undefined || this.tracker.socketCount <= this.connectionCap) return;
    const victim = this.tracker.longestIdle(accepted) ?? accepted;
    this.tracker.closeSocket(victim);
    const now = Date.now();
    if (now - this.capWarnedAt >= CAP_WARNING_INTERVAL) {
      this.capWarnedAt = now;
      this.logger.warn(
        { event: 'connection_limit', maxConnections: this.connectionCap, closed: victim === accepted ? 'new' : 'idle' },
        `${this.connectionCap} connections open: closed ${victim === accepted ? 'a new connection (none was idle)' : 'the longest-idle keep-alive connection'} ` +
          'so that file descriptors stay free for the probes and the app (ZERODROP_MAX_CONNECTIONS sets the cap)',
      );
    }
  }

  private scheduleIdleClose(socket: TrackedSocket): void {
    if (socket.upgraded || socket.inFlight > 0 || this.idleTimers.has(socket)) return;
    const now = Date.now();
    const delay = idleCloseDelay(socket, now, this.idleTimeout, this.latestIdleCloseAt);
    if (delay <= 0) {
      if (!socket.closeSent && socket.lastActive + this.idleTimeout > now) this.closedEarly++;
      this.closeIdle(socket);
      return;
    }
    this.idleTimers.set(
      socket,
      setTimeout(() => {
        this.idleTimers.delete(socket);
        this.closeIdle(socket);
      }, delay),
    );
  }

  private closeIdle(socket: TrackedSocket): void {
    if (socket.upgraded || socket.inFlight > 0 || socket.socket.destroyed) return;
    if (this.tracker.receiving(socket)) {
      // A request is arriving: let it come (it is answered with Connection: close); look again shortly.
      this.idleTimers.set(
        socket,
        setTimeout(() => {
          this.idleTimers.delete(socket);
          this.closeIdle(socket);
        }, 50),
      );
      return;
    }
    this.tracker.closeSocket(socket);
  }

  private clearIdleTimer(socket: TrackedSocket): void {
    const timer = this.idleTimers.get(socket);
    if (timer) clearTimeout(timer);
    this.idleTimers.delete(socket);
  }

  // ---- the lifecycle ----

  private setState(state: GracefulState): void {
    this.currentState = state;
    this.announce('state', state);
  }

  /** Emit to the app's listeners; one that throws is logged and the others still run. */
  private announce<K extends keyof GracefulEvents>(event: K, ...args: GracefulEvents[K]): void {
    const failed = (error: unknown) =>
      this.logger.error(
        { event: 'listener_failed', on: event, ...errorFields(error) },
        `a "${event}" listener of the graceful handle threw; the shutdown goes on`,
      );
    for (const listener of this.rawListeners(event) as ((...a: unknown[]) => unknown)[]) {
      try {
        settle(listener.apply(this, args), failed);
      } catch (error) {
        failed(error);
      }
    }
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
    this.announce('ready');
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.options.holdSignalListeners && gateBypassed()) {
      this.logger.warn(
        { event: 'signal_listeners_not_held', signal },
        `${signal} reached the other ${signal} listeners directly (this Node version delivers signals without process.emit): they may end the process before the drain`,
      );
    }
    if (this.currentState === 'starting' || this.currentState === 'ready') {
      this.beginShutdown(signal, this.options.drainDelay);
      return;
    }
    // Closed: the process is exiting, or the app's own listeners are getting the signal the drain held.
    if (this.currentState === 'closed') return;
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
    process.on('uncaughtExceptionMonitor', this.onUncaught);
    this.logger.info(
      { event: 'draining', reason, drainDelayMs: drainDelay, shutdownTimeoutMs: this.options.shutdownTimeout },
      `draining (${reason}): readiness 503, Connection: close on every response; listener closes in ${drainDelay} ms`,
    );
    this.tracker.endEveryConnection();
    this.announce('draining', reason);
    this.deadlineTimer = setTimeout(() => this.deadline(), this.options.shutdownTimeout);
    this.drainTimer = setTimeout(() => this.startClosing(), drainDelay);
  }

  private startClosing(): void {
    if (this.currentState !== 'draining') return;
    this.setState('closing');
    // Stop accepting connections without Node's closeIdleConnections(): idle sockets are closed below, one by one.
    net.Server.prototype.close.call(this.server, () => {});
    // Read now, not at attach: an app may set keepAliveTimeout after graceful() (Fastify sets 72 s).
    const keepAliveTimeout = (this.server as Partial<http.Server>).keepAliveTimeout;
    // Under ZERODROP_SPEED the rehearsal compresses the whole termination, so the default idle wait shrinks with it
    // (an explicit idleSocketTimeout is taken as written).
    this.idleTimeout = this.options.idleSocketTimeout ?? (keepAliveTimeout ?? 5000) / this.options.speed;
    // The last moment an idle socket may stay: a margin before the deadline, for the hooks and the exit.
    const margin = Math.min(1000 / this.options.speed, this.options.shutdownTimeout / 4);
    this.latestIdleCloseAt = this.shutdownAt + this.options.shutdownTimeout - margin;
    for (const socket of this.tracker.idleSockets()) this.scheduleIdleClose(socket);
    if (this.closedEarly > 0) {
      this.logger.info(
        {
          event: 'idle_sockets_closed',
          sockets: this.closedEarly,
          keepAliveTimeoutMs: Math.round(this.idleTimeout * this.options.speed),
        },
        `closed ${this.closedEarly} idle keep-alive socket(s) at once: the keep-alive time the server promises ` +
          `(${Math.round(this.idleTimeout * this.options.speed)} ms) outlasts the shutdown budget; with ` +
          `server.keepAliveTimeout below ${Math.floor((this.latestIdleCloseAt - this.shutdownAt) * this.options.speed)} ms ` +
          'clients close them first',
      );
      this.closedEarly = 0;
    }
    this.tracker.closeIdleSessions();
    this.tracker.closeStreams((error) => this.streamCloseFailed(error));
    this.logger.info(
      { event: 'closing', ...this.tracker.summary() },
      'listener closed; waiting for in-flight requests',
    );
    this.announce('closing');
    for (const release of this.prestopWaiters.splice(0)) release();
    this.maybeFinish();
  }

  private closeStream(stream: { close: () => void }): void {
    try {
      stream.close();
    } catch (error) {
      this.streamCloseFailed(error);
    }
  }

  private streamCloseFailed(error: unknown): void {
    this.logger.warn(
      { event: 'stream_close_failed', ...errorFields(error) },
      'a tracked stream threw while being told to close; it is cut at the deadline unless it closes',
    );
  }

  private maybeFinish(): void {
    if (this.currentState !== 'closing' || this.finishing) return;
    if (!this.tracker.isEmpty() || this.probeInFlight > 0) return;
    this.finishing = true;
    void this.runHooks().then(() => this.finish(0));
  }

  private async runHooks(): Promise<void> {
    for (const hook of this.hooks) {
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
    // Idle keep-alive sockets are not work: closing them cuts nothing, so they do not make the exit a failure.
    const cutWork = this.tracker.hasWork() || this.currentHook !== undefined || this.probeInFlight > 0;
    this.logger[cutWork ? 'error' : 'warn'](
      { event: 'deadline', ...cut, hook: this.currentHook, shutdownTimeoutMs: this.options.shutdownTimeout },
      `shutdown deadline (${this.options.shutdownTimeout} ms) reached: ` +
        (cutWork
          ? `cutting ${cut.requests} request(s), ${cut.sockets} socket(s), ${cut.http2Sessions} HTTP/2 session(s), ${cut.streams} stream(s)` +
            (cut.urls.length ? `: ${cut.urls.join(', ')}` : '') +
            (this.currentHook ? `; cleanup hook "${this.currentHook}" still running` : '')
          : `closing ${cut.sockets} idle socket(s); no request was in flight`),
    );
    this.tracker.destroyAll();
    this.finish(cutWork ? 1 : 0, cut);
  }

  private readonly onUncaught = (error: unknown, origin: string): void => {
    if (this.currentState !== 'draining' && this.currentState !== 'closing') return;
    const cut = this.tracker.summary();
    const handled = process.listenerCount('uncaughtException');
    this.logger.error(
      { event: 'uncaught_exception', origin, state: this.currentState, ...errorFields(error), ...cut },
      handled > 0
        ? `uncaught exception while ${this.currentState}; the app's own handler decides what happens next`
        : `uncaught exception while ${this.currentState}: the process exits now, cutting ${cut.requests} request(s) ` +
            `and ${cut.sockets} socket(s)` +
            (cut.urls.length ? `: ${cut.urls.join(', ')}` : ''),
    );
  };

  private finish(exitCode: 0 | 1 | 130, cut?: OpenSummary): void {
    if (this.currentState === 'closed') return;
    clearTimeout(this.drainTimer);
    clearTimeout(this.deadlineTimer);
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    process.off('uncaughtExceptionMonitor', this.onUncaught);
    for (const release of this.prestopWaiters.splice(0)) release();
    this.setState('closed');
    if (this.probeServer) {
      this.probeServer.close();
      this.probeServer.closeAllConnections();
    }
    const result: ShutdownResult = {
      exitCode,
      reason: this.reason || 'forced',
      durationMs: Date.now() - this.shutdownAt,
    };
    if (cut) result.cut = cut;
    this.logger.info({ event: 'closed', exitCode, durationMs: result.durationMs }, `closed, exit code ${exitCode}`);
    this.announce('closed', result);
    this.resolveClosed(result);
    // A forced exit or a deadline that cut work leaves no time for the app's own shutdown code.
    const others = this.options.holdSignalListeners && exitCode === 0 ? this.deliverHeldSignals() : 0;
    if (!this.options.exit) {
      for (const [signal, handler] of this.signalHandlers) {
        if (this.options.holdSignalListeners) releaseSignals(handler);
        else process.off(signal, handler);
      }
      return;
    }
    // The signal handlers stay: a signal during the exit must not kill the process by the default action.
    if (others === 0) process.exit(exitCode);
    // The app's own SIGTERM/SIGINT code runs now; it usually exits. If it does not, the process ends when nothing is
    // left to do, or after hookTimeout, with this exit code.
    process.exitCode = exitCode;
    setTimeout(() => process.exit(exitCode), this.options.hookTimeout).unref();
  }

  /** After a drain: the signals held from the app's own listeners go to them now. Returns how many ran. */
  private deliverHeldSignals(): number {
    let others = 0;
    for (const handler of this.signalHandlers.values()) {
      others += deliverHeldSignals(handler, (signal, listeners) =>
        this.logger.info(
          { event: 'signal_delivered', signal, listeners },
          `drained; ${signal} goes to the app's own ${signal} listener(s) now`,
        ),
      );
    }
    return others;
  }

  /**
   * With held signal listeners the app's own shutdown code runs after the drain and usually calls server.close():
   * once the drain started, that waits for the drain (the callback runs when the server closed) instead of closing
   * the listener early or failing with ERR_SERVER_NOT_RUNNING.
   */
  private wrapServerClose(server: NodeServer): void {
    const original = server.close;
    const handle = this;
    server.close = function (this: NodeServer, callback?: (error?: Error) => void) {
      if (handle.currentState === 'starting' || handle.currentState === 'ready') return original.call(this, callback);
      if (callback) {
        if (!this.listening && handle.tracker.isEmpty()) process.nextTick(callback);
        else this.once('close', () => callback());
      }
      return this;
    } as typeof server.close;
  }

  private probeContext(): ProbeContext {
    return {
      options: this.options,
      state: () => this.currentState,
      started: () => this.startedAt !== undefined,
      draining: () => this.currentState !== 'starting' && this.currentState !== 'ready',
      accepting: () => this.server.listening,
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

  private startProbeServer(ctx: ProbeContext): http.Server {
    const port = this.options.probePort!;
    const probeServer = createProbeServer(ctx, this.options, (delta) => {
      this.probeInFlight += delta;
      if (delta < 0) this.maybeFinish();
    });
    probeServer.on('error', (error) =>
      this.logger.error(
        { event: 'probe_server_failed', port, ...errorFields(error) },
        `probe server could not listen on port ${port}`,
      ),
    );
    probeServer.once('listening', () => {
      const address = probeServer.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      this.logger.info({ event: 'probe_listening', port: actual }, `probes also on port ${actual}`);
    });
    probeServer.listen(port, this.options.probeHost);
    return probeServer;
  }
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
