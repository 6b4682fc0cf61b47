/**
 * The replicas' app ports. Each comes from below the ephemeral range (so the load's own client ports never take
 * it), is free when handed out, and is reserved until the rehearsal ends: never handed out twice by one rehearsal,
 * and claimed on this machine through a file per port (`<tmpdir>/zerodrop-ports/<port>`, holding the owner's pid)
 * so that rehearsals running side by side — a test suite, two terminals — never give two replicas the same port
 * between its check and the app's `listen`. A claim whose process is gone (a `kill -9`) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PORT_RANGE = { from: 20000, to: 32000 } as const;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

export interface PortPoolOptions {
  /** Where the claims live; every pool of the machine must use the same folder. */
  dir?: string;
  range?: { from: number; to: number };
}

export class PortPool {
  private readonly held = new Set<number>();
  private readonly claims = new Set<string>();
  private readonly dir: string;
  private readonly range: { from: number; to: number };

  constructor(options: PortPoolOptions = {}) {
    this.dir = options.dir ?? join(tmpdir(), 'zerodrop-ports');
    this.range = options.range ?? PORT_RANGE;
  }

  /** A free port, reserved until `release()`. */
  async take(): Promise<number> {
    mkdirSync(this.dir, { recursive: true });
    for (let i = 0; i < 400; i++) {
      const port = this.range.from + Math.floor(Math.random() * (this.range.to - this.range.from));
      if (this.held.has(port) || !this.claim(port)) continue;
      if (await canListen(port)) {
        this.held.add(port);
        return port;
      }
      this.unclaim(port);
    }
    throw new Error(`no free port between ${this.range.from} and ${this.range.to}`);
  }

  /** Gives back every port this pool took. */
  release(): void {
    for (const port of this.held) this.unclaim(port);
    this.held.clear();
  }

  private claim(port: number): boolean {
    const file = join(this.dir, String(port));
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        // removed meanwhile: another process's claim ended; try the port another time
        return false;
      }
      if (owner === process.pid || (Number.isInteger(owner) && owner > 0 && alive(owner))) return false;
      writeFileSync(file, String(process.pid));
    }
    this.claims.add(file);
    return true;
  }

  private unclaim(port: number): void {
    const file = join(this.dir, String(port));
    if (!this.claims.delete(file)) return;
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  }
}
