import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { graceful } from '../src/index.js';
import { inProcess } from './support/server.js';

test('WebSockets and SSE streams are counted in the drain and told to close when the listener closes', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url !== '/events') return void res.end('ok');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: hello\n\n');
    handle.trackStream(res, () => {
      res.write('event: close\ndata: server draining, reconnect\n\n');
      res.end();
    });
  });
  const handle = graceful(server, inProcess);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    handle.trackStream(ws);
    ws.on('message', (m) => ws.send(`echo ${m}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => handle.shutdown('cleanup', { drainDelay: 0 }));
  const port = (server.address() as AddressInfo).port;

  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const wsClosed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.once('close', (code) => resolve({ code, at: Date.now() })),
  );

  let sse = '';
  const sseEnded = new Promise<number>((resolve) => {
    http.get({ port, host: '127.0.0.1', path: '/events', agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => (sse += chunk));
      res.on('end', () => resolve(Date.now()));
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(handle.open().streams, 2);

  let closingAt = 0;
  handle.once('closing', () => (closingAt = Date.now()));
  const shutdownAt = Date.now();
  const closed = handle.shutdown('test', { drainDelay: 300 });
  // Still open during the drain delay: consumers have not moved yet, a reconnect would land here again.
  ws.send('still there?');
  const echo = await new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))));
  assert.equal(echo, 'echo still there?');

  const [wsClose, sseEnd, result] = await Promise.all([wsClosed, sseEnded, closed]);
  assert.equal(wsClose.code, 1001, 'WebSocket close frame "going away"');
  assert.ok(wsClose.at >= shutdownAt + 280, 'not before the drain delay');
  assert.match(sse, /event: close\ndata: server draining/);
  assert.ok(sseEnd >= closingAt);
  assert.equal(result.exitCode, 0);
  assert.equal(result.cut, undefined);
  wss.close();
});

test('an upgraded socket nobody closes is cut at the deadline and reported', async () => {
  const server = http.createServer();
  const handle = graceful(server, { ...inProcess, shutdownTimeout: 400, drainDelay: 50 });
  const wss = new WebSocketServer({ server });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  ws.on('error', () => {});
  await new Promise((resolve) => ws.once('open', resolve));
  const result = await handle.shutdown('test');
  assert.equal(result.exitCode, 1);
  assert.equal(result.cut?.sockets, 1);
  wss.close();
});
