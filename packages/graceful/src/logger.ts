/**
 * A logger with the pino / bunyan calling convention: `(fields, message)`. `console` fits too (it prints both).
 */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

type Level = 'info' | 'warn' | 'error';

/** One JSON line per event on stderr, shaped like pino's output so log pipelines parse it the same way. */
export function jsonLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (level: Level) => (fields: Record<string, unknown>, message: string) => {
    write(`${JSON.stringify({ level, time: Date.now(), name: 'zerodrop', msg: message, ...fields })}\n`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Errors become plain fields, so a JSON logger prints something useful. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { error: error.message, ...(code === undefined ? {} : { code }) };
  }
  return { error: String(error) };
}
