// Shared by every strategy app: the same routes, the same port handling, the same "I'm listening" line.
// Not a strategy itself (the leading underscore keeps it out of the list).
import http from 'node:http';
import { basename } from 'node:path';

export const port = Number(process.env.PORT ?? 3000);

/**
 * The app every strategy serves: `GET /` -> "ok", `GET /slow?ms=200` -> "slow" after ms, and simple 200 probes unless
 * the strategy brings its own (`probe(path)` returns a status code, or undefined to fall through).
 */
export function routes(probe = () => undefined) {
  return (req, res) => {
    res.setHeader('x-replica', String(process.pid));
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health/live' || url.pathname === '/health/ready') {
      const status = probe(url.pathname) ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'unavailable');
      return;
    }
    if (url.pathname === '/slow') {
      const ms = Math.min(Number(url.searchParams.get('ms') ?? 200) || 0, 60_000);
      setTimeout(() => res.end('slow'), ms);
      return;
    }
    if (url.pathname === '/') {
      res.end('ok');
      return;
    }
    res.writeHead(404).end('not found');
  };
}

export function createServer(probe) {
  return http.createServer(routes(probe));
}

/** Listen on PORT (0 = any) and print one JSON line that drivers (bench, rehearsal) wait for. */
export function listen(server, strategyUrl) {
  return new Promise((resolve) => {
    server.listen(port, () => {
      const strategy = basename(new URL(strategyUrl).pathname, '.mjs');
      process.stdout.write(`${JSON.stringify({ listening: server.address().port, strategy, pid: process.pid })}\n`);
      resolve(server);
    });
  });
}
