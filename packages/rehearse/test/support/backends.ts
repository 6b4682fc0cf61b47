import { EventEmitter } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import type { Endpoint, EndpointView } from '../../src/endpoints.js';

/** A real HTTP backend that names itself in every answer. */
export interface Backend {
  name: string;
  port: number;
  server: http.Server;
  healthy: boolean;
  close(): Promise<void>;
}

export async function backend(name: string, handler?: http.RequestListener): Promise<Backend> {
  const b = { name, healthy: true } as Backend;
  b.server = http.createServer(
    handler ??
      ((req, res) => {
        if (req.url === '/health') res.statusCode = b.healthy ? 200 : 503;
        res.end(name);
      }),
  );
  await new Promise<void>((resolve) => b.server.listen(0, '127.0.0.1', resolve));
  b.port = (b.server.address() as net.AddressInfo).port;
  b.close = () =>
    new Promise((resolve) => {
      b.server.closeAllConnections();
      b.server.close(() => resolve());
    });
  return b;
}

/** Endpoints set by the test: the input a consumer reads. */
export class StaticView extends EventEmitter implements EndpointView {
  endpoints: Endpoint[] = [];
  set(endpoints: Endpoint[]): void {
    this.endpoints = endpoints;
    this.emit('change', endpoints);
  }
}

export function ep(
  b: { name: string; port: number },
  state: 'ready' | 'terminating' | 'terminating-not-serving' = 'ready',
): Endpoint {
  return {
    pod: b.name,
    port: b.port,
    ready: state === 'ready',
    serving: state !== 'terminating-not-serving',
    terminating: state !== 'ready',
  };
}

/** One GET over the given agent; resolves to status, body and the proxy's pod header, or the error code. */
export function get(
  port: number,
  agent: http.Agent | false,
  path = '/',
): Promise<{ status?: number; body?: string; pod?: string; error?: string; localPort?: number }> {
  return new Promise((resolve) => {
    let localPort: number | undefined;
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode, body, pod: res.headers['x-zerodrop-pod'] as string | undefined, localPort }),
      );
      res.on('error', () => {});
      res.on('close', () => {
        if (!res.complete) resolve({ error: 'aborted mid-response', localPort });
      });
    });
    req.on('socket', (s: net.Socket) => s.once('connect', () => (localPort = s.localPort)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}
