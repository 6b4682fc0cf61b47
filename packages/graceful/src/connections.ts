import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';

/** One connection of the server, as the tracker sees it. */
export interface TrackedSocket {
  readonly socket: Socket;
  /** Requests received on this socket whose response has not finished. */
  inFlight: number;
  /** The last response carried `Connection: close`: the client will not reuse the socket and Node closes it. */
  closeSent: boolean;
  /** Handed over to a WebSocket (or other) upgrade: long-lived, never "idle". */
  upgraded: boolean;
  /** When the last response finished (or the socket connected). */
  lastActive: number;
  /** `socket.bytesRead` when it last became idle: more bytes since means a request is arriving. */
  bytesReadAtIdle: number;
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

/**
 * What the tracker reports to the lifecycle, which decides what to do about it. The tracker never closes anything on
 * its own initiative.
 */
export interface TrackerReport {
  /** A new connection was accepted. */
  accepted(socket: TrackedSocket): void;
  /** A socket has no request in flight (it just connected, or its last response finished). */
  idle(socket: TrackedSocket): void;
  /** A request started on a socket that was idle. */
  busy(socket: TrackedSocket): void;
  /** An HTTP/2 session has no stream in flight. */
  sessionIdle(session: Http2Session): void;
  /** Something finished or closed: the lifecycle checks whether anything is left. */
  changed(): void;
}

type Http1Response = ServerResponse & { shouldKeepAlive: boolean };

/**
 * Counts what a server has open (sockets, HTTP/2 sessions, in-flight requests per socket, long-lived streams),
 * reports every change to the lifecycle, and carries out its orders: make every response the last on its
 * connection, close a socket, close idle HTTP/2 sessions, tell streams to close, cut everything.
 */
export class ConnectionTracker {
  private readonly sockets = new Map<Socket, TrackedSocket>();
  private readonly requests = new Set<InFlightRequest>();
  private readonly responses = new Set<Http1Response>();
  /** HTTP/2 sessions and how many streams each has in flight. */
  private readonly sessions = new Map<Http2Session, number>();
  private readonly streams = new Set<TrackedStream>();
  /** Ordered by the lifecycle: every response from now on is the last one on its connection. */
  private lastResponses = false;

  constructor(private readonly report: TrackerReport) {}

  addSocket(socket: Socket): TrackedSocket {
    let state = this.sockets.get(socket);
    if (state) return state;
    state = {
      socket,
      inFlight: 0,
      closeSent: false,
      upgraded: false,
      lastActive: Date.now(),
      bytesReadAtIdle: socket.bytesRead,
    };
    this.sockets.set(socket, state);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.report.changed();
    });
    this.report.accepted(state);
    if (!socket.destroyed) this.report.idle(state);
    return state;
  }

  /** An HTTP/1 request (node:http, https, or HTTP/1 on an http2 server with allowHTTP1). */
  onHttp1Request(req: IncomingMessage, res: ServerResponse): void {
    const response = res as Http1Response;
    const state = this.addSocket(req.socket);
    state.inFlight++;
    if (state.inFlight === 1) this.report.busy(state);
    if (this.lastResponses) response.shouldKeepAlive = false;
    this.responses.add(response);
    const done = this.trackRequest(req.method ?? '?', req.url ?? '?', () => {
      this.responses.delete(response);
      state.inFlight--;
      state.lastActive = Date.now();
      if (!response.shouldKeepAlive) state.closeSent = true;
      if (state.inFlight === 0) {
        state.bytesReadAtIdle = state.socket.bytesRead;
        this.report.idle(state);
      }
    });
    res.once('finish', done);
    res.once('close', done);
  }

  /** The socket was handed to an 'upgrade' listener (WebSocket): counted until it closes, never closed as idle. */
  onUpgrade(socket: Socket): void {
    const state = this.addSocket(socket);
    state.upgraded = true;
    this.report.busy(state);
  }

  onHttp2Session(session: Http2Session): void {
    this.sessions.set(session, 0);
    session.once('close', () => {
      this.sessions.delete(session);
      this.report.changed();
    });
  }

  onHttp2Stream(stream: ServerHttp2Stream, method: string, url: string): void {
    const session = stream.session;
    if (session && !this.sessions.has(session)) this.onHttp2Session(session);
    if (session) this.sessions.set(session, (this.sessions.get(session) ?? 0) + 1);
    const done = this.trackRequest(method, url, () => {
      if (!session || !this.sessions.has(session)) return;
      const left = (this.sessions.get(session) ?? 1) - 1;
      this.sessions.set(session, left);
      if (left === 0) this.report.sessionIdle(session);
    });
    stream.once('close', done);
    // GOAWAY after this stream: it completes, the client opens its next stream on a new connection.
    if (this.lastResponses) session?.close();
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
      this.report.changed();
    };
  }

  /** Register a long-lived stream. Returns an untrack function. */
  trackStream(stream: TrackedStream, closed: (cb: () => void) => void): () => void {
    this.streams.add(stream);
    let done = false;
    const untrack = () => {
      if (done) return;
      done = true;
      this.streams.delete(stream);
      this.report.changed();
    };
    closed(untrack);
    return untrack;
  }

  /**
   * Order: every HTTP/1 response not yet started, and every later one, carries `Connection: close`; HTTP/2 sessions
   * with a stream in flight get GOAWAY now, the others at their next stream.
   */
  endEveryConnection(): void {
    this.lastResponses = true;
    for (const res of this.responses) if (!res.headersSent) res.shouldKeepAlive = false;
    for (const [session, streams] of this.sessions) if (streams > 0) session.close();
  }

  /** Sockets with no request in flight that were not upgraded. */
  idleSockets(): TrackedSocket[] {
    return [...this.sockets.values()].filter((s) => s.inFlight === 0 && !s.upgraded);
  }

  /** The idle socket that has been idle the longest (the one to give up first when connections run short). */
  longestIdle(except?: TrackedSocket): TrackedSocket | undefined {
    let oldest: TrackedSocket | undefined;
    for (const s of this.sockets.values()) {
      if (s === except || s.inFlight > 0 || s.upgraded || this.receiving(s)) continue;
      if (!oldest || s.lastActive < oldest.lastActive) oldest = s;
    }
    return oldest;
  }

  /** Bytes arrived on an idle socket since its last response: a request is being received (not parsed yet). */
  receiving(state: TrackedSocket): boolean {
    return state.socket.bytesRead !== state.bytesReadAtIdle;
  }

  /** Order: close this socket (the lifecycle checked it is idle). */
  closeSocket(state: TrackedSocket): void {
    state.socket.destroy();
  }

  /** Order: close HTTP/2 sessions that have no stream in flight (GOAWAY, then the session ends). */
  closeIdleSessions(): void {
    for (const [session, streams] of this.sessions) this.closeSessionIfIdle(session, streams);
  }

  closeSessionIfIdle(session: Http2Session, streams = this.sessions.get(session) ?? 0): void {
    if (!session.closed && streams === 0) session.close();
  }

  /** Order: tell every tracked stream to close. A stream that throws while closing is cut at the deadline. */
  closeStreams(onError: (error: unknown) => void): void {
    for (const stream of [...this.streams]) {
      try {
        stream.close();
      } catch (error) {
        onError(error);
      }
    }
  }

  get socketCount(): number {
    return this.sockets.size;
  }

  isEmpty(): boolean {
    return this.sockets.size === 0 && this.requests.size === 0 && this.sessions.size === 0 && this.streams.size === 0;
  }

  /**
   * Work that cutting would lose: requests in flight, tracked streams, upgraded sockets, HTTP/2 sessions with a
   * stream, a request being received. Idle keep-alive sockets are not work.
   */
  hasWork(): boolean {
    if (this.requests.size > 0 || this.streams.size > 0) return true;
    for (const streams of this.sessions.values()) if (streams > 0) return true;
    for (const s of this.sockets.values()) if (s.upgraded || (s.inFlight === 0 && this.receiving(s))) return true;
    return false;
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

  /** Order: cut everything (the deadline, or a forced exit). */
  destroyAll(): void {
    for (const state of this.sockets.values()) state.socket.destroy();
    for (const session of this.sessions.keys()) session.destroy();
  }
}
