import http from 'node:http';
import type net from 'node:net';
import type { Endpoint, EndpointView } from '../endpoints.js';
import { listenOnLoopback } from './listen.js';

/** Response header naming the pod that served (or failed) a request. */
export const POD_HEADER = 'x-zerodrop-pod';
/** Response header on proxy-made errors: why the upstream failed. */
export const UPSTREAM_ERROR_HEADER = 'x-zerodrop-upstream-error';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export interface L7ProxyOptions {
  /** Extra condition an endpoint must meet to receive requests (an external LB's health check). */
  eligible?: (endpoint: Endpoint) => boolean;
  /** Which endpoints are candidates: ready ones (ingress-nginx) or attached ones (an external LB). */
  candidates?: (endpoints: readonly Endpoint[]) => Endpoint[];
}

/**
 * An L7 proxy like ingress-nginx: keep-alive connections to clients, a round-robin choice of upstream for every
 * request over keep-alive upstream connections, 502 when the upstream fails before answering (503 with no
 * endpoint), and the client connection cut when it fails mid-response. A pod's `Connection: close` ends the
 * upstream connection only; it never reaches the client. No retries to another upstream.
 */
export class L7Proxy {
  private readonly server: http.Server;
  private readonly agent = new http.Agent({
    keepAlive: true,
    maxSockets: Number.POSITIVE_INFINITY,
    maxFreeSockets: 1024,
  });
  private readonly sockets = new Set<net.Socket>();
  private next = 0;
  port = 0;

  constructor(
    private readonly view: EndpointView,
    private readonly options: L7ProxyOptions = {},
  ) {
    this.server = http.createServer(
      { keepAliveTimeout: 75_000, requestTimeout: 0, headersTimeout: 60_000 },
      (req, res) => this.handle(req, res),
    );
    this.server.on('connection', (socket: net.Socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<number> {
    this.port = await listenOnLoopback(this.server);
    return this.port;
  }

  /** The endpoints a request may go to. */
  routable(): Endpoint[] {
    const candidates = this.options.candidates
      ? this.options.candidates(this.view.endpoints)
      : this.view.endpoints.filter((e) => e.ready);
    return this.options.eligible ? candidates.filter(this.options.eligible) : candidates;
  }

  /** The upstream the next request goes to. */
  pick(): Endpoint | undefined {
    const pool = this.routable();
    if (pool.length === 0) return undefined;
    this.next = (this.next + 1) % pool.length;
    return pool[this.next];
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const endpoint = this.pick();
    if (!endpoint) {
      res.writeHead(503, { 'content-type': 'text/plain', [UPSTREAM_ERROR_HEADER]: 'no-endpoint' });
      res.end('no endpoint\n');
      req.resume();
      return;
    }
    const upstream = http.request({
      host: endpoint.host ?? '127.0.0.1',
      port: endpoint.port,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.headers),
      agent: this.agent,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...endToEnd(answer.headers), [POD_HEADER]: endpoint.pod });
      answer.pipe(res);
      answer.on('close', () => {
        // The pod went away in the middle of the body: nginx closes the client connection.
        if (!answer.complete) res.destroy();
      });
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!res.headersSent) {
        res.writeHead(502, {
          'content-type': 'text/plain',
          [POD_HEADER]: endpoint.pod,
          [UPSTREAM_ERROR_HEADER]: error.code ?? 'error',
        });
        res.end('bad gateway\n');
      } else {
        res.destroy();
      }
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  close(): Promise<void> {
    this.agent.destroy();
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
