import type { Database } from './db.js';

export interface OrderItem {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface NewOrder {
  customerId: string;
  items: OrderItem[];
}

export interface Order extends NewOrder {
  id: string;
  totalCents: number;
  createdAt: string;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_ITEMS = 100;

/** What is wrong with a request body, one line per field. */
export class ValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ValidationError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= max;
}

/** Checks a POST /orders body and returns the order to create; throws ValidationError listing every problem. */
export function parseNewOrder(body: unknown): NewOrder {
  if (!isRecord(body)) throw new ValidationError(['body must be a JSON object']);
  const problems: string[] = [];
  const known = new Set(['customerId', 'items']);
  for (const key of Object.keys(body)) if (!known.has(key)) problems.push(`unknown field "${key}"`);
  if (!isText(body.customerId, 100)) problems.push('customerId must be a non-empty string of at most 100 characters');
  const items: OrderItem[] = [];
  if (!Array.isArray(body.items) || body.items.length === 0 || body.items.length > MAX_ITEMS) {
    problems.push(`items must be an array of 1 to ${MAX_ITEMS} items`);
  } else {
    body.items.forEach((item: unknown, i) => {
      if (!isRecord(item)) {
        problems.push(`items[${i}] must be an object`);
        return;
      }
      const before = problems.length;
      if (!isText(item.sku, 64)) problems.push(`items[${i}].sku must be a non-empty string of at most 64 characters`);
      if (!isInteger(item.quantity, 1, 10_000))
        problems.push(`items[${i}].quantity must be an integer from 1 to 10000`);
      if (!isInteger(item.unitPriceCents, 0, 100_000_000)) {
        problems.push(`items[${i}].unitPriceCents must be an integer from 0 to 100000000`);
      }
      if (problems.length === before) {
        items.push({
          sku: item.sku as string,
          quantity: item.quantity as number,
          unitPriceCents: item.unitPriceCents as number,
        });
      }
    });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { customerId: (body.customerId as string).trim(), items };
}

interface OrderRow {
  id: string;
  customer_id: string;
  items: OrderItem[] | string;
  total_cents: number | string;
  created_at: Date | string;
}

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    items: typeof row.items === 'string' ? (JSON.parse(row.items) as OrderItem[]) : row.items,
    totalCents: Number(row.total_cents),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Orders in Postgres, in `schema` (default `public`). */
export class OrderStore {
  private readonly table: string;
  private readonly schema: string;

  constructor(
    private readonly db: Database,
    schema = 'public',
  ) {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`schema name ${JSON.stringify(schema)} must match ${SCHEMA_NAME}`);
    this.schema = schema;
    this.table = `"${schema}".orders`;
  }

  /** Creates the schema and table if missing. Replicas starting together serialise on an advisory lock. */
  async migrate(): Promise<void> {
    await this.db.exec(`
      select pg_advisory_xact_lock(hashtext('zerodrop-orders-migrate'));
      create schema if not exists "${this.schema}";
      create table if not exists ${this.table} (
        id uuid primary key default gen_random_uuid(),
        customer_id text not null,
        items jsonb not null,
        total_cents bigint not null,
        created_at timestamptz not null default now()
      );
    `);
  }

  async create(order: NewOrder): Promise<Order> {
    const total = order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
    const [row] = await this.db.query<OrderRow>(
      `insert into ${this.table} (customer_id, items, total_cents) values ($1, $2, $3)
       returning id, customer_id, items, total_cents, created_at`,
      [order.customerId, JSON.stringify(order.items), total],
    );
    return toOrder(row!);
  }

  /** The order with this id, or undefined. The id must already be a valid UUID. */
  async get(id: string): Promise<Order | undefined> {
    const [row] = await this.db.query<OrderRow>(
      `select id, customer_id, items, total_cents, created_at from ${this.table} where id = $1`,
      [id],
    );
    return row ? toOrder(row) : undefined;
  }

  /** Drops the schema and everything in it (for tests that made their own schema). */
  async dropSchema(): Promise<void> {
    if (this.schema === 'public') throw new Error('refusing to drop the public schema');
    await this.db.exec(`drop schema if exists "${this.schema}" cascade`);
  }
}
