import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GracefulHandle, graceful } from '../graceful.js';
import type { GracefulOptions } from '../options.js';

/** Where to listen, plus every option of graceful(). */
export interface ListenOptions extends GracefulOptions {
  /** Default `process.env.PORT`, else 3000. */
  port?: number;
  /** Default: all interfaces. */
  host?: string;
}

export interface Listening {
  server: http.Server;
  handle: GracefulHandle;
  port: number;
}

/** Create a node:http server for a request listener, attach graceful() before the first request, listen. */
export function listenRequestListener(listener: http.RequestListener, options: ListenOptions = {}): Promise<Listening> {
  const { port = Number(process.env.PORT ?? 3000), host, ...gracefulOptions } = options;
  const server = http.createServer(listener);
  const handle = graceful(server, gracefulOptions);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, handle, port: (server.address() as AddressInfo).port });
    });
  });
}
