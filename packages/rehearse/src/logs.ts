/**
 * A replica's output, written by the app straight into files: read back only when someone needs it — the last lines
 * for a diagnosis, or followed as it grows for --verbose.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';

const TAIL_BYTES = 16 * 1024;
/** A line longer than this is cut in what is shown (an app may print megabytes without a newline). */
const LINE_CHARS = 2000;

function cut(line: string): string {
  return line.length > LINE_CHARS
    ? `${line.slice(0, LINE_CHARS)}… (${line.length - LINE_CHARS} more characters)`
    : line;
}

/** The last `count` lines of a file (its last 16 KiB at most), without empty lines; [] when it does not exist. */
export function tailLines(file: string, count: number): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split(/\r?\n/);
    // The first line is cut when the tail starts inside it: dropped, unless it is all there is (one huge line).
    if (size > length) {
      if (lines.length > 1) lines.shift();
      else lines[0] = `…${(lines[0] ?? '').slice(1 - LINE_CHARS)}`;
    }
    return lines
      .filter((l) => l.trim() !== '')
      .slice(-count)
      .map(cut);
  } finally {
    closeSync(fd);
  }
}

const FOLLOW_MS = 200;
const FOLLOW_BYTES = 256 * 1024;

/** Calls `onLine` for every line appended to the files, polling; at most 256 KiB a file a poll, the rest skipped. */
export class LogFollower {
  private readonly offsets = new Map<string, { offset: number; partial: string }>();
  private readonly timer: NodeJS.Timeout;
  private reading = false;

  constructor(
    files: readonly string[],
    private readonly onLine: (line: string) => void,
  ) {
    for (const file of files) this.offsets.set(file, { offset: 0, partial: '' });
    this.timer = setInterval(() => void this.poll(), FOLLOW_MS);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      for (const [file, state] of this.offsets) await this.read(file, state);
    } finally {
      this.reading = false;
    }
  }

  private async read(file: string, state: { offset: number; partial: string }): Promise<void> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(file, 'r');
    } catch {
      return;
    }
    try {
      const { size } = await handle.stat();
      if (size <= state.offset) return;
      if (size - state.offset > FOLLOW_BYTES) {
        this.onLine(`[… ${size - state.offset - FOLLOW_BYTES} bytes of output skipped]`);
        state.offset = size - FOLLOW_BYTES;
        state.partial = '';
      }
      const buffer = Buffer.alloc(size - state.offset);
      await handle.read(buffer, 0, buffer.length, state.offset);
      state.offset = size;
      const lines = (state.partial + buffer.toString('utf8')).split('\n');
      state.partial = lines.pop() ?? '';
      if (state.partial.length > LINE_CHARS) {
        lines.push(state.partial);
        state.partial = '';
      }
      for (const line of lines) this.onLine(cut(line));
    } finally {
      await handle.close();
    }
  }

  /** Reads what is left, then stops. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.reading) await new Promise((r) => setTimeout(r, 10));
    await this.poll();
    for (const state of this.offsets.values()) if (state.partial) this.onLine(cut(state.partial));
  }
}
