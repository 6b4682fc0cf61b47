import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { epochMs } from './clock.js';
import { POD_HEADER, UPSTREAM_ERROR_HEADER } from './consumers/l7.js';
import type { FailureKind } from './result.js';
import type { LoadSettings } from './settings.js';

/** One request as the client saw it. Times are epoch milliseconds. */
export interface RequestRecord {
  start: number;
  end: number;
  path: string;
  outcome: 'ok' | FailureKind;
  status?: number;
  /** The pod that served it, when the proxy said so (L7) or the caller resolves it later (L4, by clientPort). */
  pod?: string;
  /** The client's local port: identifies the connection at an L4 proxy. */
  clientPort?: number;
  /** Sent on a kept-alive connection that earlier requests used (false: on a new connection). */
  reused?: boolean;
  detail?: string;
  attempts: number;
}

const TICK_MS = 5;

/** Where the load goes: a port on 127.0.0.1 (a rehearsal's proxy), or any HTTP(S) host and port (a cluster's URL). */
export type LoadTarget = number | { protocol: 'http:' | 'https:'; host: string; port: number };

type Client = { agent: http.Agent; inFlight: number };

/** Picks a path: `mix` entries by their share, the rest goes to `path`. */
export function choosePath(settings: Pick<LoadSettings, 'path' | 'mix'>, random: number): string {
  let acc = 0;
  for (const entry of settings.mix) {
    acc += entry.share;
    if (random < acc) return entry.path;
  }
  return settings.path;
}

/** How the client sees an error: refused, timed out, or reset (everything else that cut the exchange). */
export function clientFailure(error: NodeJS.ErrnoException | undefined, timedOut: boolean): FailureKind {
  if (timedOut) return 'timeout';
  if (error?.code === 'ECONNREFUSED') return 'refused';
  return 'reset';
}

/**
 * Open-loop load: requests arrive at a constant rate whatever the responses do, spread over `connections` clients,
 * each with one keep-alive connection (a new one after the server closes it). An arrival goes to the client with the
 * fewest requests in flight; a request that waits for its client's connection waits on the clock: latency and the
 * timeout count from its arrival. No retries unless `retries` > 0.
 */
export class LoadGenerator {
  private readonly clients: Client[];
  private readonly transport: typeof http | typeof https;
  private readonly host: string;
  private readonly port: number;
  private nextClient = 0;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private sent = 0;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private aborted = false;
  private readonly requests = new Set<http.ClientRequest>();

  constructor(
    target: LoadTarget,
    private readonly settings: LoadSettings,
    private readonly onRecord: (record: RequestRecord) => void,
  ) {
    const secure = typeof target !== 'number' && target.protocol === 'https:';
    this.transport = secure ? https : http;
    this.host = typeof target === 'number' ? '127.0.0.1' : target.host;
    this.port = typeof target === 'number' ? target : target.port;
    this.clients = Array.from({ length: settings.connections }, () => ({
      agent: secure
        ? new https.Agent({ keepAlive: true, maxSockets: 1 })
        : new http.Agent({ keepAlive: true, maxSockets: 1 }),
      inFlight: 0,
    }));
  }

  get pending(): number {
    return this.inFlight;
  }

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.settings.rate);
    while (this.sent < due) {
      this.sent++;
      this.send(choosePath(this.settings, Math.random()));
    }
  }

  private client(): Client {
    let best = this.clients[this.nextClient] as Client;
    for (let i = 1; i < this.clients.length && best.inFlight > 0; i++) {
      const c = this.clients[(this.nextClient + i) % this.clients.length] as Client;
      if (c.inFlight < best.inFlight) best = c;
    }
    this.nextClient = (this.clients.indexOf(best) + 1) % this.clients.length;
    return best;
  }

  private send(path: string): void {
    const record: RequestRecord = { start: epochMs(), end: 0, path, outcome: 'ok', attempts: 0 };
    const client = this.client();
    client.inFlight++;
    this.inFlight++;
    let current: http.ClientRequest | undefined;
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      current?.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, this.settings.timeoutMs);
    deadline.unref();
    const finish = () => {
      clearTimeout(deadline);
      record.end = epochMs();
      client.inFlight--;
      this.inFlight--;
      // Requests cut by an abort of the rehearsal itself say nothing about the app.
      if (!this.aborted || record.outcome === 'ok') this.onRecord(record);
      if (this.inFlight === 0) this.drained?.();
    };
    const attempt = () => {
      record.attempts++;
      const req = this.transport.request({ host: this.host, port: this.port, path, agent: client.agent });
      current = req;
      this.requests.add(req);
      let done = false;
      const settle = (outcome: RequestRecord['outcome'], detail?: string) => {
        if (done) return;
        done = true;
        this.requests.delete(req);
        record.reused = req.reusedSocket;
        const retriable = outcome === 'reset' || outcome === 'refused';
        if (retriable && record.attempts <= this.settings.retries && !timedOut) {
          attempt();
          return;
        }
        record.outcome = outcome;
        if (detail) record.detail = detail;
        else delete record.detail;
        finish();
      };
      req.on('socket', (socket: net.Socket) => {
        const capture = () => {
          record.clientPort = socket.localPort;
        };
        if (socket.connecting) socket.once('connect', capture);
        else capture();
      });
      req.on('response', (res) => {
        record.status = res.statusCode;
        const pod = res.headers[POD_HEADER];
        if (typeof pod === 'string' && pod) record.pod = pod;
        res.on('data', () => {});
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 500) {
            const why = res.headers[UPSTREAM_ERROR_HEADER];
            settle('http5xx', `HTTP ${status}${typeof why === 'string' ? ` (${why})` : ''}`);
          } else settle('ok');
        });
        res.on('close', () => {
          if (!res.complete)
            settle(
              timedOut ? 'timeout' : 'reset',
              timedOut ? 'no complete response in time' : 'connection cut in the middle of the response',
            );
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        settle(clientFailure(error, timedOut), error.code ?? error.message);
      });
      req.end();
    };
    attempt();
  }

  /** Stops new arrivals and waits for the requests in flight (each is bounded by its timeout). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    for (const c of this.clients) c.agent.destroy();
  }

  /** Stops at once: every request in flight is cut (it is still recorded). */
  abort(): void {
    this.aborted = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const req of this.requests) req.destroy(Object.assign(new Error('rehearsal aborted'), { code: 'EABORTED' }));
    for (const c of this.clients) c.agent.destroy();
  }
}
