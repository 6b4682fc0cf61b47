import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import pg from 'pg';

/** The compiled entry points, resolved from this file's place in dist/test/support. */
export const AFTER_SERVER = new URL('../../src/server.js', import.meta.url);
export const BEFORE_SERVER = new URL('../../../../orders-api-before/dist/src/server.js', import.meta.url);

export const POSTGRES_URL = process.env.ZERODROP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why the Postgres tests cannot run, or false when the server answers. */
export async function postgresUnavailable(): Promise<string | false> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return false;
  } catch (error) {
    return `Postgres at ${POSTGRES_URL} is unreachable (${(error as Error).message}); set ZERODROP_TEST_DATABASE_URL`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A schema name no other run uses. */
export function uniqueSchema(): string {
  return `orders_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => unknown;
}

export interface RequestOptions {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  agent?: http.Agent;
}

export function request(port: number, path: string, options: RequestOptions = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function postJson(port: number, body: unknown, agent?: http.Agent): Promise<Response> {
  return request(port, '/orders', {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    agent,
  });
}

export interface AppProcess {
  child: ChildProcess;
  port: number;
  /** Everything written to stderr so far (the drain library's JSON log lines). */
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a stderr line matches. */
  waitForLog: (pattern: RegExp) => Promise<void>;
  /** SIGKILLs the process if it is still running. */
  stop: () => Promise<void>;
}

/** Runs a compiled server with PORT=0 and resolves once it says which port it listens on. */
export async function startApp(script: URL, env: Record<string, string> = {}): Promise<AppProcess> {
  const child = spawn(process.execPath, [script.pathname], {
    env: { ...process.env, PORT: '0', ZERODROP_PID1_WARNING: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const w of [...watchers]) {
      if (w.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /"msg":"listening","port":(\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    exited.then(({ code, signal }) =>
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${stderr}`)),
    );
  });
  return {
    child,
    port,
    stderr: () => stderr,
    exited,
    waitForLog: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            watchers.push({ pattern, resolve });
            exited.then(() => reject(new Error(`server exited before logging ${pattern}:\n${stderr}`)));
          }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls a path until it answers 200 (the app's probes take a moment: the embedded database boots first). */
export async function waitForStatus(port: number, path: string, status = 200, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await request(port, path);
      if (res.status === status) return;
      last = `${res.status} ${res.text}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

export const VALID_ORDER = {
  customerId: 'customer-42',
  items: [
    { sku: 'TEA-GREEN-250', quantity: 2, unitPriceCents: 650 },
    { sku: 'MUG-WHITE', quantity: 1, unitPriceCents: 1200 },
  ],
};

/** A TCP proxy to Postgres whose link can be cut and restored, to take the database away from a running app. */
export class CuttableProxy {
  private readonly server = net.createServer((client) => this.accept(client));
  private readonly sockets = new Set<net.Socket>();
  private up = true;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Drops every open connection and refuses new ones (accepted, then closed at once). */
  cut(): void {
    this.up = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (!this.up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}

/** The URL with its host and port replaced (to route it through a proxy). */
export function viaProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
