import http from 'node:http';

export interface LoadOptions {
  port: number;
  host?: string;
  /** Keep-alive clients, each with its own http.Agent. */
  clients: number;
  /** Total requests per second (open loop: a slow response does not delay the next request). */
  rate: number;
  /** Share of requests to `/slow?ms=<slowMs>`. */
  slowFraction?: number;
  slowMs?: number;
  /** Sockets per client agent. Default 4. */
  socketsPerClient?: number;
  /** Path of ordinary requests. Default `/`. */
  path?: string;
  /** Path of slow requests for `ms` milliseconds. Default `/slow?ms=<ms>`. */
  slowPath?: (ms: number) => string;
}

export interface Failure {
  at: number;
  path: string;
  error: string;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  failures: Failure[];
  /** Time of the last successful response, per `x-replica` header value. */
  lastResponseAt: Map<string, number>;
  /** How long requests were sent. */
  durationMs: number;
}

/** Keep-alive load through real sockets; counts every request that did not get a complete 2xx response. */
export class Load {
  private readonly agents: http.Agent[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<Promise<void>>();
  private running = false;
  private startedAt = 0;
  private readonly result: LoadResult = {
    sent: 0,
    ok: 0,
    failed: 0,
    failures: [],
    lastResponseAt: new Map(),
    durationMs: 0,
  };

  constructor(private readonly options: LoadOptions) {}

  start(): this {
    this.running = true;
    this.startedAt = Date.now();
    const interval = (1000 * this.options.clients) / this.options.rate;
    for (let i = 0; i < this.options.clients; i++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: this.options.socketsPerClient ?? 4 });
      this.agents.push(agent);
      // Spread the clients over one interval, then keep each on its own schedule.
      let next = Date.now() + (interval * i) / this.options.clients;
      const tick = () => {
        if (!this.running) return;
        this.send(agent);
        next += interval;
        const timer = setTimeout(tick, Math.max(0, next - Date.now()));
        this.timers.add(timer);
        timer.unref?.();
      };
      const timer = setTimeout(tick, Math.max(0, next - Date.now()));
      this.timers.add(timer);
    }
    return this;
  }

  private send(agent: http.Agent): void {
    const slow = Math.random() < (this.options.slowFraction ?? 0);
    const slowMs = this.options.slowMs ?? 200;
    const path = slow ? (this.options.slowPath?.(slowMs) ?? `/slow?ms=${slowMs}`) : (this.options.path ?? '/');
    this.result.sent++;
    const done = new Promise<void>((resolve) => {
      const fail = (error: string) => {
        this.result.failed++;
        this.result.failures.push({ at: Date.now(), path, error });
        resolve();
      };
      const req = http.get({ host: this.options.host ?? '127.0.0.1', port: this.options.port, path, agent }, (res) => {
        res.resume();
        res.on('error', (e) => fail(e.message));
        res.on('end', () => {
          if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) {
            this.result.ok++;
            this.result.lastResponseAt.set(String(res.headers['x-replica'] ?? '?'), Date.now());
            resolve();
          } else fail(`HTTP ${res.statusCode}`);
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    });
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  get snapshot(): Readonly<LoadResult> {
    return this.result;
  }

  /** Stop sending, wait for the requests in flight, close the agents. */
  async stop(): Promise<LoadResult> {
    if (this.running) this.result.durationMs = Date.now() - this.startedAt;
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.pending);
    for (const agent of this.agents) agent.destroy();
    return this.result;
  }
}
