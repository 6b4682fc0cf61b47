import type { IncomingMessage, ServerResponse } from 'node:http';
import { type OrderStore, parseNewOrder, UUID, ValidationError } from './orders.js';

/** Largest POST /orders body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return Promise.reject(new HttpError(415, 'unsupported_media_type', 'send the order as application/json'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        // The rest of the body is not read: the connection cannot be reused.
        reject(
          new HttpError(413, 'body_too_large', `the body must be at most ${MAX_BODY_BYTES} bytes`, {
            connection: 'close',
          }),
        );
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'malformed_json', 'the body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

async function route(store: OrderStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://orders.invalid').pathname;
  if (path === '/orders') {
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST /orders', { allow: 'POST' });
    const order = await store.create(parseNewOrder(await readJson(req)));
    send(res, 201, order, { location: `/orders/${order.id}` });
    return;
  }
  const match = /^\/orders\/([^/]+)$/.exec(path);
  if (match) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'method_not_allowed', 'use GET /orders/:id', { allow: 'GET, HEAD' });
    }
    const id = match[1]!;
    if (!UUID.test(id)) throw new HttpError(400, 'invalid_id', 'the order id must be a UUID');
    const order = await store.get(id.toLowerCase());
    if (!order) throw new HttpError(404, 'not_found', `no order ${id}`);
    send(res, 200, order);
    return;
  }
  throw new HttpError(404, 'not_found', `no route for ${req.method} ${path}`);
}

/**
 * The orders routes: `GET /orders/:id` and `POST /orders`. The same handler runs in both variants of the example;
 * only the process wiring around it (probes, shutdown) differs.
 */
export function ordersHandler(store: OrderStore): RequestHandler {
  return (req, res) => {
    route(store, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ValidationError) {
        send(res, 400, { error: 'invalid_order', message: 'the order is not valid', details: error.problems });
      } else if (error instanceof HttpError) {
        send(res, error.status, { error: error.code, message: error.message }, error.headers);
      } else {
        console.error(JSON.stringify({ level: 'error', msg: 'request failed', error: String(error) }));
        send(res, 500, { error: 'internal', message: 'the order service failed; try again' });
      }
    });
  };
}
