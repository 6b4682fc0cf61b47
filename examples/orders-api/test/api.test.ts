import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AFTER_SERVER,
  type AppProcess,
  dropSchema,
  POSTGRES_URL,
  postgresUnavailable,
  postJson,
  request,
  startApp,
  uniqueSchema,
  VALID_ORDER,
  waitForStatus,
} from './support/app.js';

interface Backend {
  name: string;
  skip: string | false;
  env: () => Record<string, string>;
  cleanup: () => Promise<void>;
}

const schema = uniqueSchema();
const backends: Backend[] = [
  {
    name: 'embedded PGlite (no DATABASE_URL)',
    skip: false,
    env: () => ({ DATABASE_URL: '' }),
    cleanup: async () => {},
  },
  {
    name: `Postgres (${POSTGRES_URL}, schema per run)`,
    skip: await postgresUnavailable(),
    env: () => ({ DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }),
    cleanup: () => dropSchema(schema),
  },
];

for (const backend of backends) {
  describe(`orders API on ${backend.name}`, { skip: backend.skip }, () => {
    let app: AppProcess;

    before(async () => {
      app = await startApp(AFTER_SERVER, backend.env());
      await waitForStatus(app.port, '/health/ready');
    });

    after(async () => {
      await app?.stop();
      await backend.cleanup();
    });

    test('POST /orders creates an order and GET /orders/:id reads it back', async () => {
      const created = await postJson(app.port, VALID_ORDER);
      assert.equal(created.status, 201, created.text);
      const order = created.json() as Record<string, unknown>;
      assert.match(String(order.id), /^[0-9a-f-]{36}$/);
      assert.equal(created.headers.location, `/orders/${order.id}`);
      assert.equal(order.customerId, 'customer-42');
      assert.equal(order.totalCents, 2 * 650 + 1200);
      assert.deepEqual(order.items, VALID_ORDER.items);
      assert.ok(!Number.isNaN(Date.parse(String(order.createdAt))));

      const read = await request(app.port, `/orders/${order.id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.json(), order);
      const upper = await request(app.port, `/orders/${String(order.id).toUpperCase()}`);
      assert.equal(upper.status, 200);
    });

    test('GET /orders/:id answers 404 for an unknown id and 400 for a malformed one', async () => {
      const missing = await request(app.port, `/orders/${randomUUID()}`);
      assert.equal(missing.status, 404);
      assert.equal((missing.json() as { error: string }).error, 'not_found');
      for (const bad of ['123', 'not-a-uuid', `${randomUUID()}0`, '%E0%A4%A', "1' or '1'='1"]) {
        const res = await request(app.port, `/orders/${encodeURI(bad).replace(/'/g, '%27')}`);
        assert.equal(res.status, 400, `${bad}: ${res.text}`);
        assert.equal((res.json() as { error: string }).error, 'invalid_id');
      }
    });

    test('POST /orders rejects an invalid order with every problem listed', async () => {
      const res = await postJson(app.port, {
        customerId: '',
        items: [{ sku: 'A', quantity: 0, unitPriceCents: 1.5 }, 'x'],
        coupon: 'FREE',
      });
      assert.equal(res.status, 400);
      const body = res.json() as { error: string; details: string[] };
      assert.equal(body.error, 'invalid_order');
      assert.deepEqual(body.details, [
        'unknown field "coupon"',
        'customerId must be a non-empty string of at most 100 characters',
        'items[0].quantity must be an integer from 1 to 10000',
        'items[0].unitPriceCents must be an integer from 0 to 100000000',
        'items[1] must be an object',
      ]);
      for (const body of [[], 'null', '{"customerId":"c","items":[]}']) {
        assert.equal((await postJson(app.port, body)).status, 400, JSON.stringify(body));
      }
    });

    test('POST /orders rejects malformed JSON, other content types and oversized bodies', async () => {
      const malformed = await postJson(app.port, '{"customerId": ');
      assert.equal(malformed.status, 400);
      assert.equal((malformed.json() as { error: string }).error, 'malformed_json');
      const text = await request(app.port, '/orders', {
        method: 'POST',
        body: JSON.stringify(VALID_ORDER),
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(text.status, 415);
      const huge = await postJson(app.port, { customerId: 'c', items: [], pad: 'x'.repeat(70_000) });
      assert.equal(huge.status, 413);
      assert.equal(huge.headers.connection, 'close');
    });

    test('unknown routes and methods', async () => {
      assert.equal((await request(app.port, '/')).status, 404);
      const put = await request(app.port, '/orders', { method: 'PUT', body: '{}' });
      assert.equal(put.status, 405);
      assert.equal(put.headers.allow, 'POST');
      const del = await request(app.port, `/orders/${randomUUID()}`, { method: 'DELETE' });
      assert.equal(del.status, 405);
      assert.equal(del.headers.allow, 'GET, HEAD');
    });

    test('health endpoints: startup, readiness with the database check, shallow liveness', async () => {
      assert.equal((await request(app.port, '/health/startup')).status, 200);
      assert.equal((await request(app.port, '/health/live')).status, 200);
      const ready = await request(app.port, '/health/ready');
      assert.equal(ready.status, 200);
      assert.match(ready.text, /database/);
    });
  });
}
