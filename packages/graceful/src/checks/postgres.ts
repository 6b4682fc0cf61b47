import type { CheckFunction } from '../options.js';

/** What the Postgres check needs: a `pg` Pool or Client (or anything with the same `query`). */
export interface PostgresLike {
  query(sql: string): Promise<unknown>;
}

/**
 * Readiness check for Postgres: runs `select 1` (or `sql`) on the given `pg` Pool/Client. The check timeout bounds
 * the probe; a Pool also needs `connectionTimeoutMillis` so a hung connect does not hold a pool slot forever.
 */
export function postgresCheck(db: PostgresLike, options: { sql?: string } = {}): CheckFunction {
  const sql = options.sql ?? 'select 1';
  return async () => {
    await db.query(sql);
  };
}
