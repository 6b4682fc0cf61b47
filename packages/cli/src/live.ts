/**
 * What the commands that run under load (rehearse, verify) share: the live progress line (redrawn on a terminal,
 * every 5 s in a log), Ctrl-C, and the --json / --html files, checked before the run and written after it.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Progress, type RehearsalResult, renderHtmlReport } from '@zerodrop/rehearse';
import { UsageError } from './errors.js';
import { CLEAR_LINE, exitWhenFlushed } from './output.js';

/** One progress line; what the run waits for is added when there is something. */
export function progressLine(p: Progress, tool = 'rehearse'): string {
  const line = `zerodrop ${tool}: ${p.phase.padEnd(8)} ${(p.elapsedMs / 1000).toFixed(1).padStart(6)}s  pods ${p.pods.ready} ready / ${p.pods.terminating} terminating / ${p.pods.total}  ${String(p.requestsPerSecond).padStart(5)} req/s  ${p.total} sent, ${p.failed} failed`;
  return p.waiting.length > 0 ? `${line}; ${p.waiting.join('; ')}` : line;
}

/** In a log (not a terminal), one progress line this often. */
const LOG_PROGRESS_MS = 5000;

/** A progress callback writing to stderr: one line redrawn in place on a terminal, a line every 5 s in a log. */
export function progressWriter(tool: string): (p: Progress) => void {
  let lastLogged = Number.NEGATIVE_INFINITY;
  return (p) => {
    if (process.stderr.isTTY === true) {
      // One terminal line, redrawn in place: a line that wrapped could not be cleared.
      process.stderr.write(
        `${CLEAR_LINE}${progressLine(p, tool).slice(0, Math.max(20, (process.stderr.columns ?? 120) - 1))}`,
      );
    } else if (p.elapsedMs - lastLogged >= LOG_PROGRESS_MS) {
      lastLogged = p.elapsedMs;
      console.error(progressLine(p, tool));
    }
  };
}

/**
 * Makes the folders of --json and --html and checks they can be written, before the rehearsal runs: a result must
 * never be lost at the end for want of a folder. Throws a UsageError naming the path.
 */
export function prepareOutputs(out: { json?: string; html?: string }): void {
  for (const [flag, file] of [
    ['json', out.json],
    ['html', out.html],
  ] as const) {
    if (file === undefined) continue;
    const path = resolve(file);
    try {
      if (existsSync(path) && statSync(path).isDirectory()) throw new Error('it is a folder; name a file');
      mkdirSync(dirname(path), { recursive: true });
      accessSync(dirname(path), constants.W_OK);
      if (existsSync(path)) accessSync(path, constants.W_OK);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      const why =
        code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'a file is in the way of the folder'
            : message;
      throw new UsageError(`--${flag} ${file}: cannot write there (${why})`);
    }
  }
}

/** Writes --json and --html; when that fails, says so and returns exit status 2. */
export async function writeResultFiles(
  tool: string,
  result: RehearsalResult,
  out: { json?: string; html?: string },
): Promise<number | undefined> {
  try {
    if (out.json) writeFileSync(out.json, `${JSON.stringify(result, null, 2)}\n`);
    if (out.html) writeFileSync(out.html, renderHtmlReport(result));
    return undefined;
  } catch (error) {
    const { path, code } = error as NodeJS.ErrnoException;
    console.error(`zerodrop ${tool}: cannot write ${path ?? 'the output'} (${code ?? String(error)})`);
    return 2;
  }
}

/**
 * The first Ctrl-C (or SIGTERM) aborts the run, which then ends as it should; a second one quits at once. `release`
 * removes the handlers and clears the progress line.
 */
export function onInterrupt(tool: string, stopping: string): { signal: AbortSignal; release: () => void } {
  const tty = process.stderr.isTTY === true;
  const abort = new AbortController();
  const handler = () => {
    if (abort.signal.aborted) {
      exitWhenFlushed(130);
      return;
    }
    if (tty) process.stderr.write(CLEAR_LINE);
    console.error(`zerodrop ${tool}: interrupted: ${stopping} (Ctrl-C again to quit now)`);
    abort.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: abort.signal,
    release: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      if (tty) process.stderr.write(CLEAR_LINE);
    },
  };
}
