import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { graceful } from '../src/index.js';
import { inProcess } from './support/server.js';

function request(session: http2.ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let body = '';
    let status = 0;
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => (body += chunk));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
  });
}

test('HTTP/2: probes answer on streams, draining sends GOAWAY after in-flight streams, exit when sessions close', async (t) => {
  const server = http2.createServer((req, res) => {
    if (req.url.startsWith('/slow')) setTimeout(() => res.end('slow'), 300);
    else res.end('ok');
  });
  const handle = graceful(server, inProcess);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => handle.shutdown('cleanup', { drainDelay: 0 }));
  const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  session.on('error', () => {});
  assert.deepEqual(await request(session, '/'), { status: 200, body: 'ok' });
  assert.equal((await request(session, '/health/ready')).status, 200);

  const goaway = new Promise<number>((resolve) => session.once('goaway', () => resolve(Date.now())));
  const slow = request(session, '/slow');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closed = handle.shutdown('test', { drainDelay: 200 });
  assert.deepEqual(await slow, { status: 200, body: 'slow' }, 'the in-flight stream completes');
  await goaway;
  const result = await closed;
  assert.equal(result.exitCode, 0);
  assert.equal(handle.open().http2Sessions, 0);
});

test('HTTP/2: readiness is 503 while draining, on a new session', async () => {
  const server = http2.createServer((_req, res) => res.end('ok'));
  const handle = graceful(server, inProcess);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const closed = handle.shutdown('test', { drainDelay: 300 });
  const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  session.on('error', () => {});
  const ready = await request(session, '/health/ready');
  assert.equal(ready.status, 503);
  assert.equal(JSON.parse(ready.body).status, 'draining');
  session.close();
  assert.equal((await closed).exitCode, 0);
});
