import net from 'node:net';

/**
 * A kube-proxy-like L4 proxy: each new TCP connection is piped to the CURRENT upstream and stays pinned to it for
 * its whole life. `route(port)` models endpoint removal: only NEW connections go to the new upstream.
 * `route(undefined)` refuses new connections and `cut()` resets the open ones: a dependency outage.
 */
export class L4Proxy {
  private upstream: number | undefined;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly upstreamHost: string,
  ) {}

  static async start(upstreamPort: number | undefined, upstreamHost = '127.0.0.1'): Promise<L4Proxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new L4Proxy(server, (server.address() as net.AddressInfo).port, upstreamHost);
    proxy.upstream = upstreamPort;
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  private accept(client: net.Socket): void {
    if (this.upstream === undefined) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.upstream, this.upstreamHost);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    // A reset on one side is a reset on the other, as with DNAT.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => reset(client));
    // Forget the pair only when both sides are gone, so cut() and close() reach every socket.
    const forget = () => {
      if (client.destroyed && upstream.destroyed) this.pairs.delete(pair);
    };
    client.on('close', forget);
    upstream.on('close', forget);
  }

  /** New connections go to `port` from now on (undefined: refused). Open connections stay where they are. */
  route(port: number | undefined): void {
    this.upstream = port;
  }

  /** Reset every open connection. */
  cut(): void {
    for (const { client, upstream } of this.pairs) {
      upstream.destroy();
      reset(client);
    }
    this.pairs.clear();
  }

  /** Connections with the client side still open. */
  get open(): number {
    return [...this.pairs].filter((p) => !p.client.destroyed).length;
  }

  async close(): Promise<void> {
    this.route(undefined);
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** RST when possible; a socket already half-closed (FIN sent) can only be destroyed (libuv refuses the reset). */
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded || socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
