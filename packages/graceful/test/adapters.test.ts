import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { listen as listenExpress } from '../src/adapters/express.js';
import { graceful as gracefulFastify } from '../src/adapters/fastify.js';
import { listen as listenHono } from '../src/adapters/hono.js';
import { listen as listenKoa } from '../src/adapters/koa.js';
import type { GracefulHandle } from '../src/index.js';
import { get, sleep } from './support/child.js';
import { L4Proxy } from './support/l4-proxy.js';
import { Load } from './support/load.js';
import { inProcess } from './support/server.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const options = { ...inProcess, port: 0, host: '127.0.0.1', drainDelay: 400 };

interface Replica {
  handle: GracefulHandle;
  port: number;
  /** What ran after the drain, in order (Fastify's onClose). */
  events?: string[];
}

const adapters: Record<string, () => Promise<Replica>> = {
  'express 5': async () => {
    const app = express();
    app.get('/', (_req, res) => void res.send('ok'));
    app.get('/slow', async (req, res) => {
      await delay(Number(req.query.ms ?? 100));
      res.send('slow');
    });
    return listenExpress(app, options);
  },
  'express 4': async () => {
    const app = express4();
    app.get('/', (_req, res) => void res.send('ok'));
    app.get('/slow', (req, res) => void setTimeout(() => res.send('slow'), Number(req.query.ms ?? 100)));
    return listenExpress(app, options);
  },
  'fastify 5': async () => {
    const events: string[] = [];
    const app = Fastify();
    app.get('/', async () => 'ok');
    app.get<{ Querystring: { ms?: string } }>('/slow', async (req) => {
      await delay(Number(req.query.ms ?? 100));
      return 'slow';
    });
    app.addHook('onClose', async () => void events.push('fastify onClose'));
    const handle = gracefulFastify(app, {
      ...inProcess,
      drainDelay: 400,
      onShutdown: () => void events.push('user hook'),
    });
    handle.on('closing', () => events.push('closing'));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { handle, port: (app.server.address() as AddressInfo).port, events };
  },
  koa: async () => {
    const app = new Koa();
    app.use(async (ctx) => {
      if (ctx.path === '/slow') await delay(Number(ctx.query.ms ?? 100));
      ctx.body = ctx.path === '/slow' ? 'slow' : 'ok';
    });
    return listenKoa(app, options);
  },
  hono: async () => {
    const app = new Hono();
    app.get('/', (c) => c.text('ok'));
    app.get('/slow', async (c) => {
      await delay(Number(c.req.query('ms') ?? 100));
      return c.text('slow');
    });
    return listenHono(app, options);
  },
};

for (const [name, start] of Object.entries(adapters)) {
  test(`${name}: probes before the routes, and a drain under keep-alive load with zero failures`, async (t) => {
    const replica = await start();
    const next = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => next.listen(0, '127.0.0.1', resolve));
    const proxy = await L4Proxy.start(replica.port);
    t.after(async () => {
      await proxy.close();
      next.closeAllConnections();
      next.close();
      await replica.handle.shutdown('cleanup', { drainDelay: 0 });
    });
    const ready = await get(`http://127.0.0.1:${replica.port}/health/ready`);
    assert.equal(ready.status, 200);
    assert.equal(JSON.parse(ready.body).status, 'ok', 'answered by graceful, not the framework');
    assert.equal((await get(`http://127.0.0.1:${replica.port}/slow?ms=10`)).body, 'slow');

    const load = new Load({ port: proxy.port, clients: 8, rate: 300, slowFraction: 0.2, slowMs: 150 }).start();
    await sleep(400);
    const closed = replica.handle.shutdown('test');
    assert.equal((await get(`http://127.0.0.1:${replica.port}/health/ready`)).status, 503);
    await sleep(150);
    proxy.route((next.address() as AddressInfo).port);
    const result = await closed;
    await sleep(200);
    const loadResult = await load.stop();
    assert.equal(result.exitCode, 0);
    assert.equal(loadResult.failed, 0, JSON.stringify(loadResult.failures.slice(0, 5)));
    assert.ok(loadResult.ok > 100);
    if (replica.events) assert.deepEqual(replica.events, ['closing', 'user hook', 'fastify onClose']);
  });
}
