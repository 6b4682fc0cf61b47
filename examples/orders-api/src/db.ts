import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The little of a Postgres client the service needs, the same over `pg` and the embedded PGlite. */
export interface Database {
  /** `postgres` when DATABASE_URL points at a server, `pglite` for the embedded in-process default. */
  readonly kind: 'postgres' | 'pglite';
  /** One parameterised statement. */
  query<Row>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Several statements without parameters, run as one implicit transaction. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; when absent the embedded PGlite runs in memory (one database per process). */
  url?: string;
  /** Pool size for `pg`. */
  maxConnections?: number;
}

function postgres(url: string, maxConnections: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    // A dead server must fail the readiness check, not hang it.
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection emits here; without a listener that would crash the process.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await pool.query(text, params);
      return result.rows as Row[];
    },
    async exec(sql) {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}

function embedded(): Database {
  const db = new PGlite();
  return {
    kind: 'pglite',
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await db.query<Row>(text, params);
      return result.rows;
    },
    async exec(sql) {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}

export function openDatabase(options: DatabaseOptions = {}): Database {
  return options.url ? postgres(options.url, options.maxConnections ?? 10) : embedded();
}
