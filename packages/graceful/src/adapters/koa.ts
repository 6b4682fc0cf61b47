import type { RequestListener } from 'node:http';
import { type Listening, type ListenOptions, listenRequestListener } from './listen.js';

/** A Koa app (anything with `callback()` returning a request listener). */
export interface KoaLike {
  callback(): RequestListener;
}

/** Listen with a Koa app, probes and drain attached (probes answer before Koa's middleware runs). */
export function listen(app: KoaLike, options?: ListenOptions): Promise<Listening> {
  return listenRequestListener(app.callback(), options);
}

export type { Listening, ListenOptions };
