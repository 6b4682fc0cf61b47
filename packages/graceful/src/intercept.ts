import type { IncomingMessage, ServerResponse } from 'node:http';
import * as http from 'node:http';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type * as net from 'node:net';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import type { ConnectionTracker } from './connections.js';
import { GracefulError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { matchProbe, type ProbeContext, type ProbeExchange, probeBody, serveProbe } from './probes.js';

type EmitFunction = (event: string | symbol, ...args: unknown[]) => boolean;

const ATTACHED = Symbol.for('zerodrop.graceful.attached');

/** HTTP/1 events that carry a request the app answers ('checkContinue': an app that handles `Expect` itself). */
const HTTP1_REQUEST_EVENTS = new Set<string | symbol>(['request', 'checkContinue', 'checkExpectation']);

/**
 * Serve the probe routes before the app's handler and report every connection, request, HTTP/2 stream and upgrade to
 * the tracker, whatever framework sits on top: the server's `emit` is wrapped, so nothing the app registers (before
 * or after) sees a probe request, and nothing escapes the count.
 */
export function interceptServer(
  server: net.Server,
  tracker: ConnectionTracker,
  ctx: ProbeContext,
  options: ResolvedOptions,
): void {
  const marked = server as unknown as Record<symbol, unknown>;
  if (marked[ATTACHED]) {
    throw new GracefulError(
      'ERR_ZERODROP_ALREADY_ATTACHED',
      'graceful() was already called on this server; keep the first handle and reuse it',
    );
  }
  marked[ATTACHED] = true;
  const paths = options.paths;
  // Without a token the prestop path is no route on the app's port: the request goes to the app like any other.
  const prestopOnAppPort = options.prestopToken !== undefined;
  const isHttp2 = typeof (server as unknown as { updateSettings?: unknown }).updateSettings === 'function';
  const target = server as unknown as { emit: EmitFunction };
  const originalEmit = target.emit;
  target.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (HTTP1_REQUEST_EVENTS.has(event)) {
      const req = args[0] as IncomingMessage;
      // HTTP/2 compat requests were tracked (and probes served) at the 'stream' level.
      if (req.httpVersionMajor < 2) {
        const res = args[1] as ServerResponse;
        tracker.onHttp1Request(req, res);
        const kind = matchProbe(req.url ?? '/', paths, prestopOnAppPort);
        if (kind) {
          serveProbe(kind, http1Exchange(req, res), ctx);
          return true;
        }
      }
    } else if (event === 'stream') {
      const stream = args[0] as ServerHttp2Stream;
      const headers = args[1] as IncomingHttpHeaders;
      const url = headers[':path'] ?? '/';
      tracker.onHttp2Stream(stream, headers[':method'] ?? '?', url);
      const kind = matchProbe(url, paths, prestopOnAppPort);
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

/** The separate probe server (`probePort`): probes only, the prestop route without a token; counts its requests. */
export function createProbeServer(ctx: ProbeContext, options: ResolvedOptions, inFlight: (delta: 1 | -1) => void) {
  return http.createServer((req, res) => {
    inFlight(1);
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      inFlight(-1);
    };
    res.once('finish', finished);
    res.once('close', finished);
    const kind = matchProbe(req.url ?? '/', options.paths);
    const exchange = http1Exchange(req, res);
    if (kind) serveProbe(kind, exchange, ctx);
    else exchange.reply(404, { status: 'not found' });
  });
}

function http1Exchange(req: IncomingMessage, res: ServerResponse): ProbeExchange {
  const method = req.method ?? 'GET';
  return {
    method,
    url: req.url ?? '/',
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
