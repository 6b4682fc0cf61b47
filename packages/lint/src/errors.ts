/** Input zerodrop cannot use (bad config, unreadable file): printed as `file:line:col: message`, exit 2. */
export class UserInputError extends Error {
  override name = 'UserInputError';
  constructor(
    readonly code: string,
    readonly file: string | undefined,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }

  override toString(): string {
    const at = this.file === undefined ? '' : `${this.file}${this.line ? `:${this.line}:${this.column ?? 1}` : ''}: `;
    return `${at}${this.message}`;
  }
}
