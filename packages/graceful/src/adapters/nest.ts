import type { AddressInfo } from 'node:net';
import { type GracefulHandle, graceful, type NodeServer } from '../graceful.js';
import { resolveOptions, withLastHook } from '../options.js';
import type { ListenOptions } from './listen.js';

/** A NestJS application (duck-typed: what `NestFactory.create()` returns). */
export interface NestLike {
  getHttpServer(): NodeServer;
  listen(port: number, hostname?: string): Promise<unknown>;
  /** Module teardown: onModuleDestroy, beforeApplicationShutdown, the platform's close, onApplicationShutdown. */
  close(): Promise<unknown>;
}

export interface NestListening {
  server: NodeServer;
  handle: GracefulHandle;
  port: number;
}

/** Nest records the signals `enableShutdownHooks()` subscribed to here. */
function shutdownHooksEnabled(app: NestLike): boolean {
  const signals = (app as { activeShutdownSignals?: unknown }).activeShutdownSignals;
  return Array.isArray(signals) && signals.length > 0;
}

/**
 * Listen with a NestJS app, probes and drain attached before the first request. Nest's `app.close()` (module
 * teardown: onModuleDestroy, beforeApplicationShutdown, onApplicationShutdown, so DB pools) runs as the LAST cleanup
 * hook, after connections drained. Do not call `app.enableShutdownHooks()`: Nest would tear the modules down on the
 * signal itself, while requests are still in flight (a warning is logged when it is on).
 */
export async function listen(app: NestLike, options: ListenOptions = {}): Promise<NestListening> {
  const { port = Number(process.env.PORT ?? 3000), host, ...gracefulOptions } = options;
  const onShutdown = withLastHook(gracefulOptions.onShutdown, { name: 'nest.close', run: () => app.close() });
  const server = app.getHttpServer();
  const handle = graceful(server, { ...gracefulOptions, onShutdown });
  let warned = false;
  const warnShutdownHooks = () => {
    if (warned || !shutdownHooksEnabled(app)) return;
    warned = true;
    resolveOptions(gracefulOptions).logger.warn(
      { event: 'nest_shutdown_hooks' },
      'app.enableShutdownHooks() is on: Nest closes its modules (DB pools) on the signal, before in-flight requests ' +
        'drain. Remove it: this adapter runs app.close() after the drain',
    );
  };
  handle.once('draining', warnShutdownHooks);
  await (host === undefined ? app.listen(port) : app.listen(port, host));
  warnShutdownHooks();
  return { server, handle, port: (server.address() as AddressInfo).port };
}

export type { ListenOptions };
