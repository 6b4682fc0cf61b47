// The server side of the probe-cost benchmark, run as its own process: `bare` (a plain node:http handler that
// answers the probe path itself with the same body) or `graceful` (the same app with graceful() and one cached readiness check).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { graceful } from '../src/index.js';

const mode = process.argv[2] ?? 'bare';
const server = http.createServer((req, res) => {
  if (req.url === '/health/ready') {
    const body = '{"status":"ok","state":"ready","checks":{"db":{"status":"ok"}}}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.end('ok');
});
if (mode === 'graceful') {
  graceful(server, { logger: false, pid1Warning: false, checks: { db: async () => {} }, checkCacheTtl: 1000 });
}
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port, mode })}\n`);
});
