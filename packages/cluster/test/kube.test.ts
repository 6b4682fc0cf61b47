/**
 * `bounded`, the bound on every API call verify and rehearse make: against an API server that accepts connections
 * and never answers, the call ends in an ApiTimeoutError that says what was asked; an answered call passes through
 * and leaves no timer behind (a process that made one exits at once, not after the bound).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ApiTimeoutError, bounded } from '../src/kube.js';

const sockets = new Set<net.Socket>();
// Accepts every connection and never says a word: not even the TLS handshake completes.
const silent = net.createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
let port = 0;

before(async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as net.AddressInfo).port;
});
after(() => {
  for (const s of sockets) s.destroy();
  silent.close();
});

function client(): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'silent', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'c', cluster: 'silent', user: 'u' }],
    currentContext: 'c',
  });
  return kc.makeApiClient(CoreV1Api);
}

test('a call the API server never answers ends in an ApiTimeoutError naming it', async () => {
  const began = performance.now();
  await assert.rejects(bounded(client().listNode(), 'listing the nodes', 400), (error: Error) => {
    assert.ok(error instanceof ApiTimeoutError);
    assert.equal(error.message, 'listing the nodes: the API server did not answer within 0.4 s');
    return true;
  });
  assert.ok(performance.now() - began < 10_000);
});

test('an answered call passes through, and its bound does not keep the process alive', () => {
  const kube = fileURLToPath(new URL('../src/kube.js', import.meta.url));
  const script = `
    import { bounded } from ${JSON.stringify(kube)};
    console.log(await bounded(Promise.resolve('answer'), 'a call'));
    await bounded(Promise.reject(new Error('refused')), 'another').catch((e) => console.log(e.message));
  `;
  const began = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 25_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'answer\nrefused\n');
  // The default bound is 30 s: a timer left running would hold the process that long.
  assert.ok(performance.now() - began < 20_000, `the process took ${Math.round(performance.now() - began)} ms`);
});
