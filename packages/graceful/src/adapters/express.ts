import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Listening, type ListenOptions, listenRequestListener } from './listen.js';

/** An Express 4 or 5 app (it is a request listener). */
export type ExpressLike = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * Listen with an Express 4 or 5 app, probes and drain attached. Same as
 * `graceful(app.listen(port), options)`, but the handle exists before the first request.
 */
export function listen(app: ExpressLike, options?: ListenOptions): Promise<Listening> {
  return listenRequestListener((req, res) => void app(req, res), options);
}

export type { Listening, ListenOptions };
