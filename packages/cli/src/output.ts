/**
 * How the CLI writes: colour only for a terminal that wants it, and an exit that waits until everything written has
 * left the process (a pipe to a slow reader keeps data in Node's queue; `process.exit()` would drop it).
 */

import { joinedChunks } from '@zerodrop/lint';

/** Colour for a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb; FORCE_COLOR forces it. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Bold text when `color`, plain otherwise. */
export function bold(text: string, color: boolean): string {
  return color ? `\u001b[1m${text}\u001b[22m` : text;
}

/** Clears the current terminal line (for a progress line redrawn in place); only ever written to a terminal. */
export const CLEAR_LINE = '\r\u001b[2K';

let exiting = false;

/**
 * Exits with `code` once stdout and stderr have handed everything to the operating system. A reader that closed its
 * end (`| head`) ends the wait at once; a reader that is merely slow is waited for, as any Unix tool does.
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  if (exiting) return;
  exiting = true;
  const streams = [process.stdout, process.stderr].filter((s) => !s.destroyed && s.writableLength > 0);
  let waiting = streams.length;
  if (waiting === 0) process.exit(code);
  for (const stream of streams) {
    stream.write('', () => {
      if (--waiting === 0) process.exit(code);
    });
  }
}

/**
 * A reader that goes away (`zerodrop lint --format json | head -1`) makes the next write fail with EPIPE: that is
 * the reader's choice, not an error of the command, so the CLI ends quietly instead of printing a stack trace.
 */
export function exitQuietlyOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

/**
 * Writes text to a stream and resolves once the stream has handed it all to the operating system: a command that
 * awaits its output before returning never has it cut by the process exiting (a pipe takes 64 KiB at a time). A
 * reader that went away (`| head`) is not an error: there is nobody left to tell.
 */
export function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') resolve();
      else reject(error);
    };
    stream.once('error', onError);
    stream.write(text, (error) => {
      stream.removeListener('error', onError);
      if (!error || (error as NodeJS.ErrnoException).code === 'EPIPE') resolve();
      else reject(error);
    });
  });
}

/**
 * Writes a report given in pieces, joined into writes of about 32 Ki characters (see joinedChunks), each write
 * awaited: the whole report is never one string, and a slow reader holds the writer back instead of the pieces piling
 * up in memory.
 */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  for (const piece of joinedChunks(chunks)) await writeAll(stream, piece);
}

/** Lines for stderr, written in one piece at the end. */
export class Messages {
  private readonly lines: string[] = [];

  add(line: string): void {
    this.lines.push(line);
  }

  flush(): Promise<void> {
    return writeAll(process.stderr, this.lines.length ? `${this.lines.join('\n')}\n` : '');
  }
}
