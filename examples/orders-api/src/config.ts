import type { Server } from 'node:net';
import { type Database, openDatabase } from './db.js';
import { OrderStore, SCHEMA_NAME } from './orders.js';

export interface Config {
  port: number;
  /** Unset: the embedded PGlite database, in memory, one per process. */
  databaseUrl: string | undefined;
  schema: string;
}

/** A setting that cannot work; the message says which variable and what to do. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Reads PORT (default 3000), DATABASE_URL and DATABASE_SCHEMA (default `public`). */
export function loadConfig(env: Env = process.env): Config {
  const rawPort = env.PORT?.trim() || '3000';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    throw new ConfigError(
      `PORT=${JSON.stringify(env.PORT)} is not a port number; set it to an integer from 0 to 65535`,
    );
  }
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL; unset it to use the embedded database');
  }
  const schema = env.DATABASE_SCHEMA?.trim() || 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `DATABASE_SCHEMA=${JSON.stringify(schema)} must be a lower-case SQL identifier like "orders"`,
    );
  }
  return { port, databaseUrl, schema };
}

export interface Orders {
  db: Database;
  store: OrderStore;
}

/** Opens the database named by the config and the order store on it (not yet migrated). */
export function openOrders(config: Config): Orders {
  const db = openDatabase(config.databaseUrl ? { url: config.databaseUrl } : {});
  return { db, store: new OrderStore(db, config.schema) };
}

/** Runs `main`; a ConfigError becomes a one-line message and exit code 2, without a stack trace. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`orders-api: ${error.message}`);
      process.exit(2);
    }
    console.error(JSON.stringify({ level: 'error', msg: 'orders-api failed to start', error: String(error) }));
    process.exit(1);
  });
}

/** Starts listening and logs the port as a JSON line on stdout (tools and tests read it when PORT=0). */
export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      console.log(JSON.stringify({ level: 'info', msg: 'listening', port: actual }));
      resolve();
    });
  });
}
