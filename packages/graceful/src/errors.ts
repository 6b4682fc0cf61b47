/** Stable error codes thrown or reported by @zerodrop/graceful. */
export type GracefulErrorCode =
  /** An option (or the environment variable that sets it) has a value that cannot work. */
  | 'ERR_ZERODROP_OPTIONS'
  /** The object passed as the server is not a node:http / https / http2 server. */
  | 'ERR_ZERODROP_SERVER'
  /** graceful() was called twice on the same server. */
  | 'ERR_ZERODROP_ALREADY_ATTACHED'
  /** A readiness check did not answer within its timeout (the reason its AbortSignal carries). */
  | 'ERR_ZERODROP_CHECK_TIMEOUT';

/** The one error type of this package: `code` is stable, `message` says what is wrong and what to do. */
export class GracefulError extends Error {
  readonly code: GracefulErrorCode;
  constructor(code: GracefulErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GracefulError';
    this.code = code;
  }
}

export function optionsError(message: string): GracefulError {
  return new GracefulError('ERR_ZERODROP_OPTIONS', message);
}
