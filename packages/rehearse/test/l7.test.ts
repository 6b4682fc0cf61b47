import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { L7Proxy } from '../src/consumers/l7.js';
import { type Backend, backend, ep, get, StaticView } from './support/backends.js';

let a: Backend;
let b: Backend;
let closing: Backend;
const view = new StaticView();
const proxy = new L7Proxy(view);
let port: number;

before(async () => {
  [a, b] = await Promise.all([backend('a'), backend('b')]);
  closing = await backend('closing', (_req, res) => {
    res.setHeader('connection', 'close');
    res.end('closing');
  });
  port = await proxy.listen();
});
after(async () => {
  await proxy.close();
  await Promise.all([a.close(), b.close(), closing.close()]);
});

describe('L7 proxy (ingress-nginx)', () => {
  test('routes every request on one client connection, round-robin over ready endpoints, and tags the pod', async () => {
    view.set([ep(a), ep(b), ep(closing, 'terminating')]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await get(port, agent);
      assert.equal(r.status, 200);
      assert.equal(r.pod, r.body);
      seen.add(r.body ?? '');
    }
    assert.deepEqual([...seen].sort(), ['a', 'b']);
    agent.destroy();
  });

  test("a pod's Connection: close ends the upstream connection only, never the client's", async () => {
    view.set([ep(closing)]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) => {
        http.get({ host: '127.0.0.1', port, agent }, (res) => {
          assert.notEqual(res.headers.connection, 'close');
          sockets.add(res.socket);
          res.resume();
          res.on('end', resolve);
        });
      });
    }
    assert.equal(sockets.size, 1, 'the client kept one connection');
    agent.destroy();
  });

  test('502 when the upstream refuses, 503 when no endpoint is ready', async () => {
    const gone = await backend('gone');
    await gone.close();
    view.set([ep(gone)]);
    const refused = await get(port, false);
    assert.equal(refused.status, 502);
    assert.equal(refused.pod, 'gone');
    view.set([ep(a, 'terminating')]);
    assert.equal((await get(port, false)).status, 503);
  });

  test('an upstream dying mid-response cuts the client connection', async () => {
    const dying = await backend('dying', (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    view.set([ep(dying)]);
    const r = await get(port, false);
    assert.ok(r.error, `the client sees the cut (${JSON.stringify(r)})`);
    await dying.close();
  });
});
