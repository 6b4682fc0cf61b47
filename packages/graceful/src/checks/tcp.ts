import * as net from 'node:net';
import type { CheckFunction } from '../options.js';

export interface TcpCheckOptions {
  host?: string;
  port: number;
}

/** Readiness check for a TCP dependency: the port must accept a connection (closed again at once). */
export function tcpCheck(options: TcpCheckOptions): CheckFunction {
  const host = options.host ?? '127.0.0.1';
  return (signal) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host, port: options.port });
      const onAbort = () => {
        socket.destroy();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve();
      });
      socket.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      });
    });
}
