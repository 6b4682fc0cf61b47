import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { AFTER_SERVER, type AppProcess, BEFORE_SERVER, request, startApp, waitForStatus } from './support/app.js';

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

  test('the "before" variant answers liveness from the database too, so an outage would restart every replica', async () => {
    const app = await startApp(BEFORE_SERVER, { DATABASE_URL: '' });
    apps.push(app);
    await waitForStatus(app.port, '/health');
    // Same process, same probe path for liveness and readiness: it only ever answers for the database.
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
