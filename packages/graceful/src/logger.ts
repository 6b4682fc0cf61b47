/**
 * A logger with the pino / bunyan calling convention: `(fields, message)`. `console` fits too (it prints both).
 */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

type Level = 'info' | 'warn' | 'error';

/** Longest text kept from a thrown value: a check that throws a megabyte must not flood the log. */
const MAX_TEXT = 2000;
const UNPRINTABLE = '[a thrown value that cannot be printed]';

/** One JSON line per event on stderr, shaped like pino's output so log pipelines parse it the same way. */
export function jsonLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (level: Level) => (fields: Record<string, unknown>, message: string) => {
    write(`${jsonLine({ level, time: Date.now(), name: 'zerodrop', msg: message, ...fields })}\n`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** JSON of a log record that never throws (BigInt, cycles, hostile getters become text). */
function jsonLine(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
  } catch {
    const plain: Record<string, string> = {};
    for (const [key, value] of Object.entries(record)) plain[key] = describe(value);
    return JSON.stringify(plain);
  }
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * The user's logger, made unable to break the engine: a logger that throws (once or always) loses that one line to
 * stderr as JSON instead of unwinding a probe, a check run or the shutdown.
 */
export function safeLogger(logger: Logger): Logger {
  const fallback = jsonLogger();
  const call = (level: Level) => (fields: Record<string, unknown>, message: string) => {
    const failed = (error: unknown) => {
      try {
        fallback[level]({ ...fields, loggerFailed: describe(error) }, message);
      } catch {
        // stderr itself is gone: nothing left to tell
      }
    };
    try {
      // An async logger's rejection is caught too, or it would surface as an unhandled rejection.
      settle(logger[level](fields, message) as unknown, failed);
    } catch (error) {
      failed(error);
    }
  };
  return { info: call('info'), warn: call('warn'), error: call('error') };
}

/** When `value` is a thenable, route its rejection to `onRejected`; anything else (a hostile `then`) too. */
export function settle(value: unknown, onRejected: (error: unknown) => void): void {
  try {
    if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
      const then = (value as { then?: unknown }).then;
      if (typeof then === 'function') then.call(value, undefined, onRejected);
    }
  } catch (error) {
    onRejected(error);
  }
}

/**
 * A thrown value (anything: an Error, a string, `Object.create(null)`, an object whose toString throws, a revoked
 * Proxy, a BigInt) as plain JSON-safe log fields: `error` (text) and, when it has one, `code` (string or number).
 * Never throws.
 */
export function errorFields(error: unknown): { error: string; code?: string | number } {
  const fields: { error: string; code?: string | number } = { error: describe(error) };
  const code = errorCode(error);
  if (code !== undefined) fields.code = code;
  return fields;
}

function errorCode(error: unknown): string | number | undefined {
  try {
    if (typeof error !== 'object' || error === null) return undefined;
    const code = (error as { code?: unknown }).code;
    if (code === undefined || code === null) return undefined;
    if (typeof code === 'string') return code.slice(0, 200);
    if (typeof code === 'number' && Number.isFinite(code)) return code;
    return describe(code);
  } catch {
    return undefined;
  }
}

/** Text for any value; never throws. An Error is its message; an object its JSON when that says more than toString. */
export function describe(value: unknown): string {
  try {
    return clip(text(value));
  } catch {
    return UNPRINTABLE;
  }
}

function text(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return `${String(value)}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${typeof value.name === 'string' && value.name ? value.name : 'anonymous'}]`;
  }
  if (value === null) return 'null';
  if (value instanceof Error) {
    const message: unknown = value.message;
    if (typeof message === 'string') return message;
    return `[${typeof value.name === 'string' ? value.name : 'Error'} with a ${typeof message} message]`;
  }
  let shown: string | undefined;
  try {
    shown = String(value);
  } catch {
    // Object.create(null), a toString that throws: try its JSON below
  }
  if (shown === undefined || shown.startsWith('[object ')) {
    try {
      const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${String(v)}n` : v));
      if (typeof json === 'string') return json;
    } catch {
      // a cycle or a hostile getter
    }
  }
  return shown ?? UNPRINTABLE;
}

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}
