import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import { type CheckFunction, httpCheck, postgresCheck, redisCheck, tcpCheck } from '../src/index.js';
import { get, sleep } from './support/child.js';
import { L4Proxy } from './support/l4-proxy.js';
import { startServer, stop } from './support/server.js';

const POSTGRES = { host: '127.0.0.1', port: 5432 };
const REDIS = { host: '127.0.0.1', port: 6379 };
// One check interval: the cache TTL plus the check timeout.
const CHECK = { checkCacheTtl: 200, checkTimeout: 300 };
const INTERVAL = CHECK.checkCacheTtl + CHECK.checkTimeout;

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => resolve(false));
  });
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await predicate()) return Date.now() - started;
    await sleep(25);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/**
 * The outage scenario for one dependency behind a fault proxy we control: ready while it answers, 503 within one
 * check interval of the cut (liveness 200 throughout), ready again once it is back.
 */
async function outage(proxy: L4Proxy, upstreamPort: number, check: CheckFunction, recoverWithinMs = 5000) {
  const app = await startServer({ ...CHECK, checks: { dependency: check } });
  try {
    const ready = async () => (await get(app.url('/health/ready'))).status;
    assert.equal(await ready(), 200, 'ready while the dependency answers');
    proxy.route(undefined);
    proxy.cut();
    const cutAt = Date.now();
    await until(async () => (await ready()) === 503, INTERVAL * 4);
    const tookMs = Date.now() - cutAt;
    assert.ok(tookMs <= INTERVAL + 400, `readiness turned 503 after ${tookMs} ms (interval ${INTERVAL} ms)`);
    const started = Date.now();
    assert.equal(await ready(), 503);
    assert.ok(
      Date.now() - started < CHECK.checkTimeout + 400,
      'a dead dependency never makes the probe slower than its timeout',
    );
    assert.equal((await get(app.url('/health/live'))).status, 200, 'liveness stays 200 during the outage');
    proxy.route(upstreamPort);
    await until(async () => (await ready()) === 200, recoverWithinMs);
    assert.equal((await get(app.url('/health/live'))).status, 200);
  } finally {
    await stop(app);
  }
}

test('postgresCheck with a pg Pool: outage and recovery through a fault proxy', async (t) => {
  if (!(await reachable(POSTGRES.port)))
    return t.skip(`Postgres is not reachable on ${POSTGRES.host}:${POSTGRES.port}`);
  const proxy = await L4Proxy.start(POSTGRES.port);
  const pool = new pg.Pool({
    host: '127.0.0.1',
    port: proxy.port,
    user: 'postgres',
    database: 'test',
    max: 2,
    connectionTimeoutMillis: 250,
  });
  pool.on('error', () => {}); // idle clients cut by the outage
  t.after(async () => {
    await pool.end();
    await proxy.close();
  });
  await outage(proxy, POSTGRES.port, postgresCheck(pool));
});

test('postgresCheck with a single pg Client answers through the real server', async (t) => {
  if (!(await reachable(POSTGRES.port)))
    return t.skip(`Postgres is not reachable on ${POSTGRES.host}:${POSTGRES.port}`);
  const client = new pg.Client({ ...POSTGRES, user: 'postgres', database: 'test' });
  await client.connect();
  t.after(() => client.end());
  await postgresCheck(client)(new AbortController().signal);
  await assert.rejects(
    Promise.resolve(
      postgresCheck(client, { sql: 'select * from no_such_table_zerodrop' })(new AbortController().signal),
    ),
  );
});

test('redisCheck with ioredis: outage and recovery through a fault proxy', async (t) => {
  if (!(await reachable(REDIS.port))) return t.skip(`Redis is not reachable on ${REDIS.host}:${REDIS.port}`);
  const proxy = await L4Proxy.start(REDIS.port);
  const redis = new Redis({ host: '127.0.0.1', port: proxy.port, retryStrategy: () => 100, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  t.after(async () => {
    redis.disconnect();
    await proxy.close();
  });
  await outage(proxy, REDIS.port, redisCheck(redis));
});

test('redisCheck with node-redis: outage and recovery through a fault proxy', async (t) => {
  if (!(await reachable(REDIS.port))) return t.skip(`Redis is not reachable on ${REDIS.host}:${REDIS.port}`);
  const proxy = await L4Proxy.start(REDIS.port);
  const client = createClient({ socket: { host: '127.0.0.1', port: proxy.port, reconnectStrategy: () => 100 } });
  client.on('error', () => {});
  await client.connect();
  t.after(async () => {
    client.destroy();
    await proxy.close();
  });
  await outage(proxy, REDIS.port, redisCheck(client));
});

test('httpCheck and tcpCheck: outage and recovery of an HTTP dependency', async (t) => {
  let status = 200;
  const dependency = http.createServer((_req, res) => res.writeHead(status).end());
  await new Promise<void>((resolve) => dependency.listen(0, '127.0.0.1', resolve));
  const port = (dependency.address() as AddressInfo).port;
  const proxy = await L4Proxy.start(port);
  t.after(async () => {
    await proxy.close();
    dependency.closeAllConnections();
    dependency.close();
  });
  await outage(proxy, port, httpCheck(`http://127.0.0.1:${proxy.port}/healthz`));
  await outage(proxy, port, tcpCheck({ port: proxy.port }));
  const check = httpCheck(`http://127.0.0.1:${port}/`);
  status = 500;
  await assert.rejects(Promise.resolve(check(new AbortController().signal)), /answered 500/);
  status = 204;
  await check(new AbortController().signal);
});

test('a dependency that accepts but never answers fails at the check timeout', async (t) => {
  const blackhole = net.createServer(() => {});
  blackhole.on('connection', (socket) => t.after(() => socket.destroy()));
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  t.after(() => blackhole.close());
  const app = await startServer({
    ...CHECK,
    checks: { api: httpCheck(`http://127.0.0.1:${(blackhole.address() as AddressInfo).port}/`) },
  });
  t.after(() => stop(app));
  const started = Date.now();
  const res = await get(app.url('/health/ready'));
  assert.equal(res.status, 503);
  assert.ok(Date.now() - started < CHECK.checkTimeout + 400);
});
