import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  AFTER_SERVER,
  type AppProcess,
  BEFORE_SERVER,
  CuttableProxy,
  dropSchema,
  POSTGRES_URL,
  postgresUnavailable,
  request,
  startApp,
  uniqueSchema,
  viaProxy,
  waitForStatus,
} from './support/app.js';

// Nothing listens on port 1: every connection to it is refused at once.
const DEAD_DATABASE = 'postgres://postgres@127.0.0.1:1/orders';

describe('probes when the database is unreachable', () => {
  const apps: AppProcess[] = [];
  after(async () => {
    await Promise.all(apps.map((app) => app.stop()));
  });

  test('liveness stays 200 while startup and readiness fail: the kubelet never restarts for a database outage', async () => {
    const app = await startApp(AFTER_SERVER, { DATABASE_URL: DEAD_DATABASE });
    apps.push(app);
    await waitForStatus(app.port, '/health/live');
    await app.waitForLog(/startup failed/);
    assert.equal((await request(app.port, '/health/startup')).status, 503);
    assert.equal((await request(app.port, '/health/ready')).status, 503);
    assert.equal((await request(app.port, '/health/live')).status, 200);
  });

  test('the "before" variant has one /health, asking the database, for liveness and readiness alike', async () => {
    const app = await startApp(BEFORE_SERVER, { DATABASE_URL: '' });
    apps.push(app);
    await waitForStatus(app.port, '/health');
    const health = await request(app.port, '/health');
    assert.equal(health.text, 'ok');
    // No shallow liveness endpoint to point the livenessProbe at.
    assert.equal((await request(app.port, '/health/live')).status, 404);
    assert.equal((await request(app.port, '/health/ready')).status, 404);
  });
});

describe('configuration errors', () => {
  test('a bad PORT is a one-line message and exit code 2, no stack trace', async () => {
    await assert.rejects(startApp(AFTER_SERVER, { PORT: 'eighty' }), (error: Error) => {
      assert.match(error.message, /server exited \(2\)/);
      assert.match(error.message, /PORT="eighty" is not a port number/);
      assert.doesNotMatch(error.message, /\n\s+at /);
      return true;
    });
  });
});

describe('probes when a running app loses its database', { skip: await postgresUnavailable() }, () => {
  const apps: AppProcess[] = [];
  const proxies: CuttableProxy[] = [];
  const schema = uniqueSchema();
  const target = new URL(POSTGRES_URL);

  async function appBehindProxy(script: URL) {
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    proxies.push(proxy);
    const url = viaProxy(POSTGRES_URL, await proxy.listen());
    const app = await startApp(script, { DATABASE_URL: url, DATABASE_SCHEMA: schema });
    apps.push(app);
    return { proxy, app };
  }

  after(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await dropSchema(schema);
  });

  test('after: readiness turns 503 and back, liveness stays 200 throughout', async () => {
    const { proxy, app } = await appBehindProxy(AFTER_SERVER);
    await waitForStatus(app.port, '/health/ready');
    proxy.cut();
    await waitForStatus(app.port, '/health/ready', 503);
    assert.equal((await request(app.port, '/health/live')).status, 200);
    proxy.restore();
    await waitForStatus(app.port, '/health/ready');
    assert.equal((await request(app.port, '/health/live')).status, 200);
  });

  test('before: the one /health fails with the database, so its livenessProbe would restart the pod', async () => {
    const { proxy, app } = await appBehindProxy(BEFORE_SERVER);
    await waitForStatus(app.port, '/health');
    proxy.cut();
    await waitForStatus(app.port, '/health', 503);
  });
});
