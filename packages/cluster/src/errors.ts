/** Why the cluster could not be started, stopped or reached; `message` says what to do. Stable codes for callers. */
export type ClusterErrorCode =
  | 'NO_GO'
  | 'BUILD_FAILED'
  | 'BINARIES_MISSING'
  | 'NOT_ROOT'
  | 'NETWORK'
  | 'START_FAILED'
  | 'NOT_RUNNING'
  | 'BAD_DIR';

export class ClusterError extends Error {
  override name = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
  ) {
    super(message);
  }
}
