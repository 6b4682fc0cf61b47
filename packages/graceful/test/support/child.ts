import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** A server running as a real child process that announces itself with a JSON line `{"listening":port,...}`. */
export interface App {
  child: ChildProcess;
  port: number;
  /** Everything the child printed as JSON lines on stdout or stderr (its logs). */
  lines: Record<string, unknown>[];
  /** Raw stderr + stdout text. */
  output(): string;
  exited: Promise<Exit>;
  announce: Record<string, unknown>;
  /** Send a signal to the direct child; returns when it was sent. */
  signal(name: NodeJS.Signals): number;
  /** Send a signal to the child's whole process group (as a terminal's Ctrl-C does). */
  signalGroup(name: NodeJS.Signals): number;
  /** SIGKILL if still running, and wait for the exit. */
  kill(): Promise<Exit>;
  /** Resolves with the first log line matching. */
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

const running = new Set<ChildProcess>();
// Never leave a child behind, whatever ends this process.
process.once('exit', () => {
  for (const child of running) killGroup(child);
});

// A signal to this process (Ctrl-C, the test runner's timeout) must not orphan the apps either.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.once(signal, () => process.exit(code));
}

/** Each app runs in its own process group, so a wrapper (sh -c) and its node child go together. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** Resolves once `port` answers HTTP (any status): for servers that announce nothing, such as Next.js. */
async function answersHttp(port: number, timeoutMs: number, exited: Promise<Exit>): Promise<Record<string, unknown>> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const until = Date.now() + timeoutMs;
  while (!gone && Date.now() < until) {
    try {
      await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(1000) });
      return { listening: port };
    } catch {
      await sleep(100);
    }
  }
  throw new Error(gone ? 'the app exited before answering HTTP' : `port ${port} did not answer within ${timeoutMs} ms`);
}

/**
 * Spawn `command args` (default: node), wait for its `{"listening":port}` line, or, with `port`, until that port
 * answers HTTP.
 */
export async function startApp(
  args: string[],
  options: {
    env?: Record<string, string>;
    command?: string;
    startTimeoutMs?: number;
    port?: number;
    cwd?: string;
  } = {},
): Promise<App> {
  const child = spawn(options.command ?? process.execPath, args, {
    env: { ...process.env, PORT: String(options.port ?? 0), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    cwd: options.cwd,
  });
  running.add(child);
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  let text = '';
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const onLine = (line: string) => {
    text += `${line}\n`;
    if (!line.startsWith('{')) return;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      lines.push(parsed);
      for (const w of [...waiters]) {
        if (w.match(parsed)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(parsed);
        }
      }
    } catch {
      // not a JSON line: kept in the text only
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const waitFor: App['waitFor'] = (match, timeoutMs = 10_000) => {
    const found = lines.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for a log line; output so far:\n${text}`)),
        timeoutMs,
      );
      waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(() => {
        setTimeout(() => {
          clearTimeout(timer);
          reject(new Error(`process exited while waiting for a log line; output:\n${text}`));
        }, 50).unref();
      });
    });
  };
  const timeout = options.startTimeoutMs ?? 10_000;
  const announce = await Promise.race([
    options.port === undefined
      ? waitFor((l) => typeof l.listening === 'number', timeout)
      : answersHttp(options.port, timeout, exited),
    exited.then((e) => {
      throw new Error(`app exited before listening (code ${e.code}, signal ${e.signal}):\n${text}`);
    }),
  ]);
  return {
    child,
    port: announce.listening as number,
    lines,
    output: () => text,
    exited,
    announce,
    signal: (name) => {
      child.kill(name);
      return Date.now();
    },
    signalGroup: (name) => {
      killGroup(child, name);
      return Date.now();
    },
    kill: async () => {
      // The group, even when the direct child already exited (a wrapper's child may live on).
      killGroup(child);
      running.delete(child);
      return exited;
    },
    waitFor,
  };
}

/** GET a URL without keep-alive; resolves status, headers and body (never rejects on HTTP errors). */
export async function get(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, {
    ...init,
    headers: { connection: 'close', ...(init.headers as Record<string, string>) },
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port that was free a moment ago (for a server that must be told its port, such as Next.js). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
