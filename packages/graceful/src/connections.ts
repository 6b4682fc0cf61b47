import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';

interface SocketState {
  socket: Socket;
  /** Requests received on this socket whose response has not finished. */
  inFlight: number;
  /** The last response carried `Connection: close`: the client will not reuse the socket and Node closes it. */
  closeSent: boolean;
  /** Handed over to a WebSocket (or other) upgrade: long-lived, never "idle". */
  upgraded: boolean;
  /** When the last response finished (or the socket connected). */
  lastActive: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/** One request in flight, kept for the deadline log. */
export interface InFlightRequest {
  method: string;
  url: string;
  startedAt: number;
}

/** Something long-lived (WebSocket, SSE response) to tell to close when the listener closes, and to wait for. */
export interface TrackedStream {
  close: () => void;
}

/** What is still open, for logs. */
export interface OpenSummary {
  requests: number;
  sockets: number;
  http2Sessions: number;
  streams: number;
  urls: string[];
}

type Http1Response = ServerResponse & { shouldKeepAlive: boolean };

/**
 * Tracks sockets, HTTP/2 sessions, in-flight requests (per socket) and long-lived streams of one server, and closes
 * each one at the moment that cannot race a client:
 * - draining: every response gets `Connection: close` (HTTP/2: the session gets GOAWAY after its next stream);
 * - closing (listener closed): sockets idle after a `Connection: close` response close at once; an idle keep-alive
 *   socket that never got one stays open up to `idleSocketTimeout` after its last response, so a request the client
 *   may already be writing is served (with `Connection: close`) instead of hitting a reset.
 */
export class ConnectionTracker {
  private readonly sockets = new Map<Socket, SocketState>();
  private readonly requests = new Set<InFlightRequest>();
  private readonly responses = new Set<Http1Response>();
  /** HTTP/2 sessions and how many streams each has in flight. */
  private readonly sessions = new Map<Http2Session, number>();
  private readonly streams = new Set<TrackedStream>();
  private draining = false;
  private closing = false;

  constructor(
    private readonly idleSocketTimeout: number,
    /** Called whenever something finished or closed: the engine checks whether anything is left. */
    private readonly onChange: () => void,
  ) {}

  addSocket(socket: Socket): SocketState {
    let state = this.sockets.get(socket);
    if (state) return state;
    state = { socket, inFlight: 0, closeSent: false, upgraded: false, lastActive: Date.now(), idleTimer: undefined };
    this.sockets.set(socket, state);
    socket.once('close', () => {
      const s = this.sockets.get(socket);
      if (s?.idleTimer) clearTimeout(s.idleTimer);
      this.sockets.delete(socket);
      this.onChange();
    });
    if (this.closing) this.scheduleIdleClose(state);
    return state;
  }

  /** An HTTP/1 request (node:http, https, or HTTP/1 on an http2 server with allowHTTP1). */
  onHttp1Request(req: IncomingMessage, res: ServerResponse): void {
    const response = res as Http1Response;
    const state = this.addSocket(req.socket);
    state.inFlight++;
    if (state.idleTimer) {
      clearTimeout(state.idleTimer);
      state.idleTimer = undefined;
    }
    if (this.draining) response.shouldKeepAlive = false;
    this.responses.add(response);
    const done = this.trackRequest(req.method ?? '?', req.url ?? '?', () => {
      this.responses.delete(response);
      state.inFlight--;
      state.lastActive = Date.now();
      if (!response.shouldKeepAlive) state.closeSent = true;
      if (this.closing && state.inFlight === 0) this.scheduleIdleClose(state);
    });
    res.once('finish', done);
    res.once('close', done);
  }

  /** The socket was handed to an 'upgrade' listener (WebSocket): counted until it closes, never closed as idle. */
  onUpgrade(socket: Socket): void {
    const state = this.addSocket(socket);
    state.upgraded = true;
    if (state.idleTimer) clearTimeout(state.idleTimer);
  }

  onHttp2Session(session: Http2Session): void {
    this.sessions.set(session, 0);
    session.once('close', () => {
      this.sessions.delete(session);
      this.onChange();
    });
  }

  onHttp2Stream(stream: ServerHttp2Stream, method: string, url: string): void {
    const session = stream.session;
    if (session && !this.sessions.has(session)) this.onHttp2Session(session);
    if (session) this.sessions.set(session, (this.sessions.get(session) ?? 0) + 1);
    const done = this.trackRequest(method, url, () => {
      if (session && this.sessions.has(session)) this.sessions.set(session, (this.sessions.get(session) ?? 1) - 1);
      if (this.closing) this.closeIdleSession(session);
    });
    stream.once('close', done);
    // GOAWAY after this stream: it completes, the client opens its next stream on a new connection.
    if (this.draining) session?.close();
  }

  private trackRequest(method: string, url: string, onDone: () => void): () => void {
    const entry: InFlightRequest = { method, url, startedAt: Date.now() };
    this.requests.add(entry);
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.requests.delete(entry);
      onDone();
      this.onChange();
    };
  }

  /** Register a long-lived stream; it is told to close when the listener closes. Returns an untrack function. */
  trackStream(stream: TrackedStream, closed: (cb: () => void) => void): () => void {
    this.streams.add(stream);
    let done = false;
    const untrack = () => {
      if (done) return;
      done = true;
      this.streams.delete(stream);
      this.onChange();
    };
    closed(untrack);
    if (this.closing) stream.close();
    return untrack;
  }

  /** First termination sign: keep serving, but make every response the last one on its connection. */
  startDrain(): void {
    this.draining = true;
    for (const res of this.responses) if (!res.headersSent) res.shouldKeepAlive = false;
    for (const [session, streams] of this.sessions) {
      // Sessions with streams in flight get GOAWAY now; idle ones at closing (or at their next stream).
      if (streams > 0) session.close();
    }
  }

  /** The listener is closed: close what is idle without racing clients, tell long-lived streams to close. */
  startClosing(): void {
    this.draining = true;
    this.closing = true;
    for (const state of this.sockets.values()) if (state.inFlight === 0) this.scheduleIdleClose(state);
    for (const session of this.sessions.keys()) this.closeIdleSession(session);
    for (const stream of [...this.streams]) {
      try {
        stream.close();
      } catch {
        // a stream that throws while closing is cut at the deadline like any other leftover
      }
    }
  }

  private scheduleIdleClose(state: SocketState): void {
    if (state.upgraded || state.inFlight > 0 || state.idleTimer) return;
    const wait = state.closeSent ? 0 : state.lastActive + this.idleSocketTimeout - Date.now();
    if (wait <= 0) {
      state.socket.destroy();
      return;
    }
    state.idleTimer = setTimeout(() => {
      state.idleTimer = undefined;
      if (state.inFlight === 0) state.socket.destroy();
    }, wait);
  }

  private closeIdleSession(session: Http2Session | null | undefined): void {
    if (session && !session.closed && (this.sessions.get(session) ?? 0) === 0) session.close();
  }

  isEmpty(): boolean {
    return this.sockets.size === 0 && this.requests.size === 0 && this.sessions.size === 0 && this.streams.size === 0;
  }

  summary(): OpenSummary {
    return {
      requests: this.requests.size,
      sockets: this.sockets.size,
      http2Sessions: this.sessions.size,
      streams: this.streams.size,
      urls: [...this.requests].map((r) => `${r.method} ${r.url} (${Date.now() - r.startedAt} ms)`),
    };
  }

  /** The deadline: cut everything. */
  destroyAll(): void {
    for (const state of this.sockets.values()) state.socket.destroy();
    for (const session of this.sessions.keys()) session.destroy();
  }
}
