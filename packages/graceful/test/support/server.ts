import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GracefulHandle, type GracefulOptions, graceful } from '../../src/index.js';

/** Options for in-process tests: no process.exit, no signal handlers, no log noise. */
export const inProcess: GracefulOptions = { exit: false, signals: false, logger: false, pid1Warning: false };

export interface Started {
  server: http.Server;
  handle: GracefulHandle;
  port: number;
  url: (path: string) => string;
}

/** A node:http app with `/` and `/slow?ms=` and graceful() attached, listening on an ephemeral port. */
export async function startServer(options: GracefulOptions = {}): Promise<Started> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/slow') setTimeout(() => res.end('slow'), Number(url.searchParams.get('ms') ?? 100));
    else res.end('ok');
  });
  const handle = graceful(server, { ...inProcess, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, handle, port, url: (path) => `http://127.0.0.1:${port}${path}` };
}

/** Shut the handle down fast (if the test did not) and wait until it is closed. */
export async function stop(started: { handle: GracefulHandle }): Promise<void> {
  await started.handle.shutdown('test cleanup', { drainDelay: 0 });
}
