import net from 'node:net';
import { epochMs } from '../clock.js';
import type { Endpoint, EndpointView } from '../endpoints.js';
import { listenOnLoopback } from './listen.js';

/**
 * Passes a reset on to the client. A socket already shutting down (its FIN sent) cannot be reset: libuv refuses,
 * and Node then never closes the handle, so such a socket is only destroyed.
 */
function cut(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded || socket.writableFinished) socket.destroy();
  else socket.resetAndDestroy();
}

/** One client connection through the proxy, kept so failures can be traced to the pod that held them. */
export interface ConnectionRecord {
  clientPort: number;
  openedAt: number;
  closedAt?: number;
  pod?: string;
  /** Why the proxy cut the client: nothing to route to, the pod refused, or the pod reset the connection. */
  cut?: 'no-endpoint' | 'refused' | 'reset';
}

const HISTORY_MS = 120_000;

/**
 * kube-proxy as an L4 proxy: each NEW connection goes to a random ready endpoint, or, when none is ready, to a
 * serving terminating one (KEP-1669); an open connection stays pinned to its pod however the endpoints change.
 * A pod's FIN or RST is passed on to the client as is.
 */
export class L4Proxy {
  private readonly server: net.Server;
  private readonly history = new Map<number, ConnectionRecord[]>();
  private readonly sockets = new Set<net.Socket>();
  private readonly pruner: NodeJS.Timeout;
  port = 0;

  constructor(
    private readonly view: EndpointView,
    private readonly random: () => number = Math.random,
  ) {
    this.server = net.createServer({ noDelay: true }, (client) => this.accept(client));
    this.pruner = setInterval(() => this.prune(), 10_000);
    this.pruner.unref();
  }

  /** Listens on an ephemeral loopback port by default, or on the given address and port (a NodePort). */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    this.port = await listenOnLoopback(this.server, port, host);
    return this.port;
  }

  /** The endpoints a new connection may go to: the ready ones, else the serving terminating ones. */
  routable(): Endpoint[] {
    const ready = this.view.endpoints.filter((e) => e.ready);
    return ready.length > 0 ? ready : this.view.endpoints.filter((e) => e.serving && e.terminating);
  }

  /** The endpoint a new connection goes to. */
  pick(): Endpoint | undefined {
    const pool = this.routable();
    if (pool.length === 0) return undefined;
    return pool[Math.floor(this.random() * pool.length)];
  }

  private accept(client: net.Socket): void {
    const endpoint = this.pick();
    const record: ConnectionRecord = { clientPort: client.remotePort ?? 0, openedAt: epochMs() };
    const list = this.history.get(record.clientPort) ?? [];
    list.push(record);
    this.history.set(record.clientPort, list);
    this.sockets.add(client);
    client.on('close', () => {
      record.closedAt = epochMs();
      this.sockets.delete(client);
    });
    client.on('error', () => {});
    if (!endpoint) {
      // iptables REJECTs a Service without endpoints.
      record.cut = 'no-endpoint';
      cut(client);
      return;
    }
    record.pod = endpoint.pod;
    const upstream = net.connect({ host: endpoint.host ?? '127.0.0.1', port: endpoint.port, noDelay: true });
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      record.cut = error.code === 'ECONNREFUSED' ? 'refused' : 'reset';
      cut(client);
    });
    client.on('close', () => {
      if (!upstream.destroyed) upstream.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** The connection a client port had at a moment (ports are reused, so the latest opened before `at`). */
  lookup(clientPort: number, at: number): ConnectionRecord | undefined {
    const list = this.history.get(clientPort);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const r = list[i] as ConnectionRecord;
      if (r.openedAt <= at) return r;
    }
    return list[0];
  }

  private prune(): void {
    const horizon = epochMs() - HISTORY_MS;
    for (const [port, list] of this.history) {
      const kept = list.filter((r) => r.closedAt === undefined || r.closedAt > horizon);
      if (kept.length === 0) this.history.delete(port);
      else this.history.set(port, kept);
    }
  }

  close(): Promise<void> {
    clearInterval(this.pruner);
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
