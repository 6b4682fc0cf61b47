import 'reflect-metadata';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Controller, Get, Injectable, Module, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { listen } from '../src/adapters/nest.js';
import type { Logger } from '../src/index.js';
import { get, sleep } from './support/child.js';
import { L4Proxy } from './support/l4-proxy.js';
import { Load } from './support/load.js';
import { inProcess } from './support/server.js';

/** What the app saw, in order, and the responses still open when its modules were torn down. */
interface AppRecord {
  events: string[];
  inFlight: number;
  inFlightAtDestroy: number | undefined;
  finishedAfterDestroy: number;
  destroyed: boolean;
}

/** A Nest app with `/` and `/slow?ms=`, and a provider whose onModuleDestroy records when it ran (no decorator syntax). */
async function createApp(record: AppRecord) {
  class AppController {
    root(): string {
      return 'ok';
    }
    async slow(ms?: string): Promise<string> {
      await sleep(Number(ms ?? 100));
      return 'slow';
    }
  }
  Controller()(AppController);
  const method = (name: 'root' | 'slow', decorator: MethodDecorator) => {
    const descriptor = Object.getOwnPropertyDescriptor(AppController.prototype, name);
    assert.ok(descriptor);
    decorator(AppController.prototype, name, descriptor);
  };
  method('root', Get());
  method('slow', Get('slow'));
  Query('ms')(AppController.prototype, 'slow', 0);

  class Pool {
    onModuleDestroy(): void {
      record.destroyed = true;
      record.inFlightAtDestroy = record.inFlight;
      record.events.push('onModuleDestroy');
    }
  }
  Injectable()(Pool);

  class AppModule {}
  Module({ controllers: [AppController], providers: [Pool] })(AppModule);

  const app = await NestFactory.create(AppModule, { logger: false });
  app.use((_req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => {
    record.inFlight++;
    res.once('close', () => {
      record.inFlight--;
      if (record.destroyed) record.finishedAfterDestroy++;
    });
    next();
  });
  return app;
}

const newRecord = (): AppRecord => ({
  events: [],
  inFlight: 0,
  inFlightAtDestroy: undefined,
  finishedAfterDestroy: 0,
  destroyed: false,
});

test('nest: drain under keep-alive load with zero failures, modules torn down after the last response', async (t) => {
  const record = newRecord();
  const app = await createApp(record);
  const { handle, port } = await listen(app, {
    ...inProcess,
    port: 0,
    host: '127.0.0.1',
    drainDelay: 400,
    onShutdown: () => void record.events.push('user hook'),
  });
  handle.on('closing', () => record.events.push('closing'));
  const next = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => next.listen(0, '127.0.0.1', resolve));
  const proxy = await L4Proxy.start(port);
  t.after(async () => {
    await proxy.close();
    next.closeAllConnections();
    next.close();
    await handle.shutdown('cleanup', { drainDelay: 0 });
  });
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const ready = await get(url('/health/ready'));
  assert.equal(ready.status, 200);
  assert.equal(JSON.parse(ready.body).status, 'ok', 'answered by graceful, not Nest');
  assert.equal((await get(url('/slow?ms=10'))).body, 'slow');

  const load = new Load({ port: proxy.port, clients: 8, rate: 300, slowFraction: 0.2, slowMs: 150 }).start();
  await sleep(400);
  // In flight across the drain delay and past the listener's close.
  const slow = get(url('/slow?ms=700'));
  await sleep(50);
  const closed = handle.shutdown('test');
  // Probes while draining (until the listener closes): liveness 200, readiness 503.
  const probes: string[] = [];
  let closing = false;
  handle.once('closing', () => {
    closing = true;
  });
  const sampling = (async () => {
    while (!closing) {
      const answers = await Promise.all([get(url('/health/live')), get(url('/health/ready'))]).catch(String);
      // A probe refused because the listener closed meanwhile is not a draining answer.
      if (closing) break;
      probes.push(Array.isArray(answers) ? answers.map((a) => a.status).join('/') : answers);
      await sleep(40);
    }
  })();
  // The endpoint is removed while draining: new connections go to the next replica.
  await sleep(150);
  proxy.route((next.address() as AddressInfo).port);
  await sampling;
  const slowResponse = await slow;
  const result = await closed;
  await sleep(200);
  const loadResult = await load.stop();

  assert.equal(result.exitCode, 0);
  assert.equal(slowResponse.status, 200);
  assert.equal(slowResponse.body, 'slow');
  assert.equal(loadResult.failed, 0, JSON.stringify(loadResult.failures.slice(0, 5)));
  assert.ok(loadResult.ok > 100, `only ${loadResult.ok} responses`);
  assert.ok(probes.length > 0);
  assert.deepEqual([...new Set(probes)], ['200/503'], 'liveness 200 and readiness 503 while draining');
  assert.deepEqual(record.events, ['closing', 'user hook', 'onModuleDestroy']);
  assert.equal(record.inFlightAtDestroy, 0, 'a response was still open when the modules were torn down');
  assert.equal(record.finishedAfterDestroy, 0);
});

test('nest: warns when enableShutdownHooks() is on', async () => {
  const warnings: Record<string, unknown>[] = [];
  const logger: Logger = { info() {}, error() {}, warn: (fields) => void warnings.push(fields) };
  const app = await createApp(newRecord());
  app.enableShutdownHooks(['SIGUSR2']);
  const { handle } = await listen(app, { ...inProcess, logger, port: 0, host: '127.0.0.1' });
  const result = await handle.shutdown('test', { drainDelay: 0 });
  assert.equal(result.exitCode, 0);
  assert.deepEqual(
    warnings.map((w) => w.event),
    ['nest_shutdown_hooks'],
  );
  assert.equal(process.listenerCount('SIGUSR2'), 0, "app.close() ran and removed Nest's signal listener");
});
