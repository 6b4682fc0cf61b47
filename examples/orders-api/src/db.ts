import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * Where the snapshot of a fresh PGlite cluster is kept, keyed by the PGlite build that made it: the package's
 * `node_modules/.cache` (it goes when node_modules goes), or the file ORDERS_PGLITE_SNAPSHOT names.
 */
export async function snapshotPath(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.ORDERS_PGLITE_SNAPSHOT) return env.ORDERS_PGLITE_SNAPSHOT;
  const wasm = await stat(fileURLToPath(import.meta.resolve('@electric-sql/pglite/pglite.wasm')));
  const cache = fileURLToPath(new URL('../../node_modules/.cache/orders-api/', import.meta.url));
  return join(cache, `pglite-${wasm.size}-${Math.round(wasm.mtimeMs)}.tar.gz`);
}

/** Boots from the snapshot when there is a usable one. */
async function bootFromSnapshot(snapshot: string): Promise<PGlite | undefined> {
  const saved = await readFile(snapshot).catch(() => undefined);
  if (!saved) return undefined;
  try {
    const db = new PGlite({ loadDataDir: new Blob([saved]) });
    await db.waitReady;
    return db;
  } catch {
    // A damaged snapshot: start from scratch and replace it.
    return undefined;
  }
}

/** Saves a fresh cluster as the snapshot (atomically: a temp file, then rename); false when it cannot be written. */
async function saveSnapshot(db: PGlite, snapshot: string): Promise<boolean> {
  const temp = `${snapshot}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(snapshot), { recursive: true });
    const dump = await db.dumpDataDir('gzip');
    await writeFile(temp, Buffer.from(await dump.arrayBuffer()));
    await rename(temp, snapshot);
    return true;
  } catch {
    // Nowhere to write (a read-only image): every start runs initdb, which is only slower.
    await unlink(temp).catch(() => {});
    return false;
  }
}

/**
 * PGlite runs initdb on every start, seconds of CPU. The fresh cluster is saved once as a snapshot and later
 * processes boot from it in well under a second (replicas of a rehearsal start together).
 */
async function bootEmbedded(): Promise<PGlite> {
  const snapshot = await snapshotPath();
  const fromSnapshot = await bootFromSnapshot(snapshot);
  if (fromSnapshot) return fromSnapshot;
  const db = new PGlite();
  await db.waitReady;
  await saveSnapshot(db, snapshot);
  return db;
}

/**
 * Makes sure the snapshot exists, so that no later start pays for initdb: `npm run demo` calls it before any
 * rehearsal, outside every probe's clock. Returns where it is and whether this call made it.
 */
export async function prepareEmbeddedDatabase(): Promise<{ snapshot: string; created: boolean; saved: boolean }> {
  const snapshot = await snapshotPath();
  const existing = await bootFromSnapshot(snapshot);
  if (existing) {
    await existing.close();
    return { snapshot, created: false, saved: true };
  }
  const db = new PGlite();
  await db.waitReady;
  const saved = await saveSnapshot(db, snapshot);
  await db.close();
  return { snapshot, created: true, saved };
}

function embedded(): Database {
  const booting = bootEmbedded();
  // Until the first query awaits it, a failed boot must not count as an unhandled rejection.
  booting.catch(() => {});
  return {
    kind: 'pglite',
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await (await booting).query<Row>(text, params);
      return result.rows;
    },
    async exec(sql) {
      await (await booting).exec(sql);
    },
    close: async () => (await booting).close(),
  };
}

export function openDatabase(options: DatabaseOptions = {}): Database {
  return options.url ? postgres(options.url, options.maxConnections ?? 10) : embedded();
}
