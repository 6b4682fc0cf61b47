import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Database, openDatabase, prepareEmbeddedDatabase, snapshotPath } from '../src/db.js';
import { OrderStore, parseNewOrder, ValidationError } from '../src/orders.js';
import { POSTGRES_URL, postgresUnavailable, uniqueSchema, VALID_ORDER } from './support/app.js';

const backends = [
  { name: 'PGlite', skip: false as string | false, url: undefined },
  { name: 'Postgres', skip: await postgresUnavailable(), url: POSTGRES_URL },
];

for (const backend of backends) {
  describe(`OrderStore on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    let store: OrderStore;
    const schema = uniqueSchema();

    before(async () => {
      db = openDatabase(backend.url ? { url: backend.url } : {});
      store = new OrderStore(db, schema);
      await store.migrate();
    });

    after(async () => {
      await store?.dropSchema();
      await db?.close();
    });

    test('migrate is idempotent, also when replicas run it at once', async () => {
      await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
    });

    test('create then get returns the same order with its total', async () => {
      const created = await store.create(parseNewOrder(VALID_ORDER));
      assert.equal(created.totalCents, 2500);
      assert.deepEqual(await store.get(created.id), created);
      assert.equal(await store.get(randomUUID()), undefined);
    });

    test('the order lives in its own schema', async () => {
      const rows = await db.query<{ n: string }>(
        'select count(*)::text as n from information_schema.tables where table_name = $1 and table_schema = $2',
        ['orders', schema],
      );
      assert.equal(rows[0]?.n, '1');
    });
  });
}

describe('embedded database', () => {
  test('a snapshot of the fresh cluster is saved so later processes skip initdb', async () => {
    const db = openDatabase();
    try {
      assert.equal(db.kind, 'pglite');
      assert.deepEqual(await db.query('select 1 as one'), [{ one: 1 }]);
    } finally {
      await db.close();
    }
    const path = await snapshotPath();
    assert.match(path, /\/examples\/orders-api\/node_modules\/\.cache\/orders-api\/pglite-\d+-\d+\.tar\.gz$/);
    const snapshot = await readFile(path);
    assert.deepEqual([...snapshot.subarray(0, 2)], [0x1f, 0x8b], 'a gzip file');
  });

  test('prepareEmbeddedDatabase makes the snapshot where it is missing, and finds it afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zerodrop-orders-'));
    const previous = process.env.ORDERS_PGLITE_SNAPSHOT;
    process.env.ORDERS_PGLITE_SNAPSHOT = join(dir, 'nested', 'snapshot.tar.gz');
    try {
      const first = await prepareEmbeddedDatabase();
      assert.deepEqual(first, { snapshot: process.env.ORDERS_PGLITE_SNAPSHOT, created: true, saved: true });
      const second = await prepareEmbeddedDatabase();
      assert.equal(second.created, false);
    } finally {
      if (previous === undefined) delete process.env.ORDERS_PGLITE_SNAPSHOT;
      else process.env.ORDERS_PGLITE_SNAPSHOT = previous;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseNewOrder', () => {
  test('trims the customer id and keeps only known item fields', () => {
    const order = parseNewOrder({
      customerId: '  c-1 ',
      items: [{ sku: 'A', quantity: 1, unitPriceCents: 0, note: 'x' }],
    });
    assert.deepEqual(order, { customerId: 'c-1', items: [{ sku: 'A', quantity: 1, unitPriceCents: 0 }] });
  });

  test('rejects what is not an object', () => {
    for (const body of [null, 1, 'x', []]) assert.throws(() => parseNewOrder(body), ValidationError);
  });

  test('a schema name must be a plain identifier', async () => {
    // The pool connects lazily: nothing listens on port 1 and nothing tries to.
    const db = openDatabase({ url: 'postgres://127.0.0.1:1/unused' });
    assert.throws(() => new OrderStore(db, 'x"; drop table y; --'), /schema name/);
    await db.close();
  });
});
