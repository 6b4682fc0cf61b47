import { graceful as core, type GracefulHandle, type NodeServer } from '../graceful.js';
import { type GracefulOptions, withLastHook } from '../options.js';

/** A Fastify 5 instance (duck-typed: its node server and close()). */
export interface FastifyLike {
  server: NodeServer;
  close(): PromiseLike<unknown>;
}

/**
 * Attach probes and the drain to a Fastify instance (before or after `listen()`). Fastify's own close() is kept out
 * of the drain (it would answer 503 and cut idle keep-alive sockets at once) and runs as the LAST cleanup hook, after
 * connections drained, so plugins' onClose hooks (DB pools) close after the last request.
 */
export function graceful(fastify: FastifyLike, options: GracefulOptions = {}): GracefulHandle {
  const onShutdown = withLastHook(options.onShutdown, { name: 'fastify.close', run: () => fastify.close() });
  return core(fastify.server, { ...options, onShutdown });
}
