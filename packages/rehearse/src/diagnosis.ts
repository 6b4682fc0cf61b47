/**
 * Telling a broken app from a slow one, in seconds, and saying what to change. The rehearsal stops with one of
 * these diagnoses when a replica exits on its own, crash-loops, listens on another port than $PORT, or listens on
 * nothing while idle; the message names the replica, quotes its last output and says what to do.
 */
import type { OutputTail, ProcessExit } from './process.js';

/** Why the rehearsal stopped early, for the result and the report. */
export interface Diagnosis {
  /** A stable code: `exited`, `crash-loop`, `wrong-port`, `not-listening`, `command-not-found`, `supervisor`. */
  code: 'exited' | 'crash-loop' | 'wrong-port' | 'not-listening' | 'command-not-found' | 'supervisor';
  pod?: string;
  /** One line: what happened and what to change. */
  message: string;
  /** The replica's last output lines, quoted under the message. */
  output?: string[];
}

/** A known failure in an app's output, and the change that mends it. */
interface Hint {
  pattern: RegExp;
  /** What the output says, short (the first capture group is the port of EADDRINUSE). */
  says: (match: RegExpExecArray) => string;
  advice: (match: RegExpExecArray, port: number) => string;
}

const HINTS: readonly Hint[] = [
  {
    // `Error: listen EADDRINUSE: address already in use :::3000`, or Node's error object (`port: 3000`).
    pattern: /EADDRINUSE[^\n]*?:(\d+)\s*$|EADDRINUSE[\s\S]{0,300}?\bport:\s*(\d+)/m,
    says: (m) => `EADDRINUSE :${m[1] ?? m[2]}`,
    advice: (m, port) =>
      `the app listens on a fixed port (${m[1] ?? m[2]}); make it listen on process.env.PORT (this replica's is ${port})`,
  },
  {
    pattern: /EADDRINUSE/,
    says: () => 'EADDRINUSE',
    advice: (_m, port) =>
      `the app listens on a fixed port; make it listen on process.env.PORT (this replica's is ${port})`,
  },
  {
    pattern: /Cannot find module '([^']+)'|ERR_MODULE_NOT_FOUND[^\n]*?'([^']+)'/,
    says: (m) => `cannot find module ${m[1] ?? m[2]}`,
    advice: () => 'build the app first (e.g. `npm run build`) and check the path in the command after --',
  },
  {
    pattern: /EACCES[^\n]*?:(\d+)/,
    says: (m) => `EACCES :${m[1]}`,
    advice: (_m, port) =>
      `the app may not bind that port; make it listen on process.env.PORT (this replica's is ${port})`,
  },
];

/**
 * The output lines worth quoting: the last ones of stderr (of stdout when stderr is empty), preceded by the error
 * line of a stack trace that scrolled above them (Node prints the message first, the error object last).
 */
export function quotedOutput(tail: OutputTail, lines = 8): string[] {
  const source = tail.stderr.length > 0 ? tail.stderr : tail.stdout;
  const last = source.slice(-lines);
  const error = source.slice(0, -lines).find((l) => /^(\w*Error\b|\s*\w*Error:)/.test(l));
  return error ? [error, '…', ...last] : last;
}

function hintFor(output: readonly string[], port: number): { says: string; advice: string } | undefined {
  const text = output.join('\n');
  for (const hint of HINTS) {
    const match = hint.pattern.exec(text);
    if (match) return { says: hint.says(match), advice: hint.advice(match, port) };
  }
  return undefined;
}

/** `code 1` / `signal SIGSEGV`. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** A replica whose process ended although nobody asked it to (a pod would restart in CrashLoopBackOff). */
export function diagnoseExit(
  pod: string,
  port: number,
  exit: ProcessExit,
  tail: OutputTail,
  wasReady: boolean,
): Diagnosis {
  const output = quotedOutput(tail);
  const hint = hintFor([...tail.stderr, ...tail.stdout], port);
  const when = wasReady ? 'while serving' : 'before it became ready';
  const what = hint ? `: ${hint.says} — ${hint.advice}` : '';
  const generic =
    output.length === 0
      ? ' and printed nothing; run the command alone with PORT set to see why'
      : '; its last output is below';
  return {
    code: 'exited',
    pod,
    message: `replica ${pod} exited (${describeExit(exit)}) ${when}${hint ? what : generic}`,
    output,
  };
}

/** A replica restarted by its liveness or startup probe again and again. */
export function diagnoseCrashLoop(pod: string, restarts: number, reason: string, tail: OutputTail): Diagnosis {
  return {
    code: 'crash-loop',
    pod,
    message:
      `replica ${pod} was restarted ${restarts} times (${reason}): the probe kills it before it can serve. ` +
      'Give slow starts a startupProbe, and keep liveness shallow (no database, no downstream calls)',
    output: quotedOutput(tail),
  };
}

/** A live replica that listens, but not on $PORT. */
export function diagnoseWrongPort(
  pod: string,
  port: number,
  listening: readonly number[],
  tail: OutputTail,
): Diagnosis {
  const where = listening.map((p) => `:${p}`).join(', ');
  return {
    code: 'wrong-port',
    pod,
    message:
      `replica ${pod} listens on ${where}, not on $PORT (${port}): the app listens on a fixed port; ` +
      'make it listen on process.env.PORT',
    output: quotedOutput(tail),
  };
}

/** A live replica that has listened on no TCP port at all for too long. */
export function diagnoseNotListening(
  pod: string,
  port: number,
  seconds: number,
  busy: boolean,
  tail: OutputTail,
): Diagnosis {
  const doing = busy ? 'while busy' : 'and is idle';
  return {
    code: 'not-listening',
    pod,
    message:
      `replica ${pod} has listened on no TCP port for ${Math.round(seconds)} s ${doing}: it never opens $PORT (${port}). ` +
      'Make the app listen on process.env.PORT; if it needs longer to start, give it a startupProbe',
    output: quotedOutput(tail),
  };
}

/** The diagnosis as the terminal shows it: the message, then the quoted output. */
export function formatDiagnosis(diagnosis: Diagnosis): string {
  const lines = [diagnosis.message];
  if (diagnosis.output?.length) {
    lines.push(`  last output of ${diagnosis.pod ?? 'the replica'}:`, ...diagnosis.output.map((l) => `    | ${l}`));
  }
  return lines.join('\n');
}
