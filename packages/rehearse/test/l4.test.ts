import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { L4Proxy } from '../src/consumers/l4.js';
import { type Backend, backend, ep, get, StaticView } from './support/backends.js';

let a: Backend;
let b: Backend;
const view = new StaticView();
const proxy = new L4Proxy(view);
let port: number;

before(async () => {
  [a, b] = await Promise.all([backend('a'), backend('b')]);
  port = await proxy.listen();
});
after(async () => {
  await proxy.close();
  await Promise.all([a.close(), b.close()]);
});

describe('L4 proxy (kube-proxy)', () => {
  test('an open connection stays pinned to its pod after the endpoints change; new ones follow', async () => {
    view.set([ep(a)]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    assert.equal((await get(port, agent)).body, 'a');
    view.set([ep(a, 'terminating'), ep(b)]);
    for (let i = 0; i < 5; i++) assert.equal((await get(port, agent)).body, 'a', 'pinned');
    assert.equal((await get(port, false)).body, 'b', 'a new connection goes to the ready endpoint');
    agent.destroy();
  });

  test('falls back to serving terminating endpoints when none is ready, never to non-serving ones', async () => {
    view.set([ep(a, 'terminating'), ep(b, 'terminating-not-serving')]);
    for (let i = 0; i < 5; i++) assert.equal((await get(port, false)).body, 'a');
    view.set([ep(b, 'terminating-not-serving')]);
    const r = await get(port, false);
    assert.ok(r.error, 'no serving endpoint: the connection is cut');
    const record = proxy.lookup(r.localPort ?? 0, performance.timeOrigin + performance.now());
    if (r.localPort) assert.equal(record?.cut, 'no-endpoint');
  });

  test('a refused upstream cuts the client and is recorded against the pod', async () => {
    const gone = await backend('gone');
    await gone.close();
    view.set([ep(gone)]);
    const r = await get(port, false);
    assert.ok(r.error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (r.localPort) {
      const record = proxy.lookup(r.localPort, performance.timeOrigin + performance.now());
      assert.equal(record?.pod, 'gone');
      assert.equal(record?.cut, 'refused');
    }
  });

  test('the pod closing a pinned keep-alive connection reaches the client', async () => {
    view.set([ep(a)]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(port, agent);
    assert.equal(first.body, 'a');
    a.server.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The agent saw the close and opens a fresh connection.
    assert.equal((await get(port, agent)).body, 'a');
    agent.destroy();
  });
});
