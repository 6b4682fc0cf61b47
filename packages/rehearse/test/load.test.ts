import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { choosePath, clientFailure, LoadGenerator, type RequestRecord } from '../src/load.js';
import type { LoadSettings } from '../src/settings.js';

let server: http.Server;
let port: number;
const connections = new Set<number>();
let failNext = 0;

before(async () => {
  server = http.createServer((req, res) => {
    connections.add(req.socket.remotePort ?? 0);
    if (req.url === '/hang') return;
    if (req.url === '/flaky' && failNext > 0) {
      failNext--;
      req.socket.destroy();
      return;
    }
    if (req.url === '/stream') {
      res.write('a');
      setTimeout(() => res.end('b'), 30);
      return;
    }
    res.statusCode = req.url === '/boom' ? 500 : 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const settings = (extra: Partial<LoadSettings>): LoadSettings => ({
  rate: 200,
  connections: 4,
  path: '/',
  mix: [],
  timeoutMs: 2000,
  retries: 0,
  ...extra,
});

async function run(extra: Partial<LoadSettings>, ms: number): Promise<RequestRecord[]> {
  const records: RequestRecord[] = [];
  const load = new LoadGenerator(port, settings(extra), (r) => records.push(r));
  load.start();
  await new Promise((r) => setTimeout(r, ms));
  await load.stop();
  return records;
}

describe('load generator', () => {
  test('open loop: the arrival rate holds, over one keep-alive connection per client', async () => {
    connections.clear();
    const records = await run({ rate: 200, connections: 4 }, 1000);
    assert.ok(records.length >= 150 && records.length <= 210, `about 200 requests in 1 s (${records.length})`);
    assert.ok(records.every((r) => r.outcome === 'ok' && r.end >= r.start));
    assert.ok(connections.size <= 4, `at most 4 connections (${connections.size})`);
  });

  test('paths are mixed by share; streaming bodies are read to the end', async () => {
    assert.equal(choosePath({ path: '/', mix: [{ path: '/slow', share: 0.2 }] }, 0.1), '/slow');
    assert.equal(choosePath({ path: '/', mix: [{ path: '/slow', share: 0.2 }] }, 0.5), '/');
    const records = await run({ mix: [{ path: '/stream', share: 0.5 }] }, 500);
    const streams = records.filter((r) => r.path === '/stream');
    assert.ok(streams.length > 10 && streams.length < records.length);
    assert.ok(streams.every((r) => r.outcome === 'ok' && r.end - r.start >= 25));
  });

  test('a 5xx, a cut connection and a timeout are failures of their kind; no retries by default', async () => {
    const records = await run(
      {
        rate: 20,
        mix: [
          { path: '/boom', share: 0.5 },
          { path: '/hang', share: 0.5 },
        ],
        timeoutMs: 200,
      },
      400,
    );
    const byPath = (p: string) => records.filter((r) => r.path === p);
    assert.ok(byPath('/boom').every((r) => r.outcome === 'http5xx' && r.status === 500));
    assert.ok(byPath('/hang').length > 0 && byPath('/hang').every((r) => r.outcome === 'timeout'));
    failNext = 3;
    const flaky = await run({ rate: 20, path: '/flaky', connections: 1 }, 300);
    assert.ok(flaky.some((r) => r.outcome === 'reset' && r.attempts === 1));
  });

  test('a host and port target; each request says whether it went over a new or a kept-alive connection', async () => {
    const records: RequestRecord[] = [];
    const load = new LoadGenerator(
      { protocol: 'http:', host: 'localhost', port },
      settings({ rate: 50, connections: 1 }),
      (r) => records.push(r),
    );
    load.start();
    await new Promise((r) => setTimeout(r, 300));
    await load.stop();
    assert.ok(records.length >= 5 && records.every((r) => r.outcome === 'ok'));
    assert.equal(records[0]?.reused, false);
    assert.ok(records.slice(1).some((r) => r.reused === true));
  });

  test('--retries retries a reset request', async () => {
    failNext = 1;
    const records = await run({ rate: 5, path: '/flaky', connections: 1, retries: 2 }, 250);
    assert.equal(records[0]?.outcome, 'ok');
    assert.equal(records[0]?.attempts, 2);
  });

  test('client errors are classified', () => {
    assert.equal(clientFailure({ code: 'ECONNREFUSED' } as NodeJS.ErrnoException, false), 'refused');
    assert.equal(clientFailure({ code: 'ECONNRESET' } as NodeJS.ErrnoException, false), 'reset');
    assert.equal(clientFailure(undefined, true), 'timeout');
  });
});
