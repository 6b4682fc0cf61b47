import type { RequestListener } from 'node:http';
import { type Listening, type ListenOptions, listenRequestListener } from './listen.js';

/** A Hono app (anything with a fetch handler). */
export interface HonoLike {
  fetch: (request: Request, ...rest: never[]) => Response | Promise<Response>;
}

/**
 * Listen with a Hono app on node:http, probes and drain attached. Needs `@hono/node-server` (optional peer
 * dependency), loaded on first use.
 */
export async function listen(app: HonoLike, options?: ListenOptions): Promise<Listening> {
  const { getRequestListener } = (await import('@hono/node-server')) as unknown as {
    getRequestListener: (fetch: HonoLike['fetch']) => RequestListener;
  };
  return listenRequestListener(getRequestListener(app.fetch), options);
}

export type { Listening, ListenOptions };
