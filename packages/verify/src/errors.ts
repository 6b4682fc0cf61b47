/** Why a verification could not run. Each is exit status 2, printed without a stack trace. */
export type VerifyErrorCode =
  /** No kubeconfig, an unreadable one, or no such context. */
  | 'KUBECONFIG'
  /** The API server could not be reached or answered with an error. */
  | 'API'
  /** The credentials lack a permission verify needs (named in the message). */
  | 'NO_ACCESS'
  /** No such Deployment, or no such node to drain. */
  | 'NOT_FOUND'
  /** The URL did not answer before anything was changed. */
  | 'URL_UNREACHABLE'
  /** The cluster is not in a state to measure: a rollout already under way, a node that cannot be drained. */
  | 'NOT_READY'
  /** The user said no when asked before the change. */
  | 'NOT_CONFIRMED'
  /** The rollout did not complete within --timeout (or passed its progress deadline). */
  | 'TIMEOUT';

export class VerifyError extends Error {
  override name = 'VerifyError';

  constructor(
    readonly code: VerifyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
