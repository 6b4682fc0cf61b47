const SHELLS = /^(\/usr)?(\/bin\/)?(sh|bash|ash|dash|zsh|busybox)$/;

/** True when argv[0] is a shell (`sh`, `/bin/bash`, ...). */
export function isShell(program: string | undefined): boolean {
  return program !== undefined && SHELLS.test(program);
}

/** The script of `sh -c "<script>"` (also `bash -ec`, ...), or undefined when argv is not a shell running one. */
export function shellScriptOf(argv: readonly string[]): string | undefined {
  return isShell(argv[0]) && /^-\w*c$/.test(argv[1] ?? '') ? argv[2] : undefined;
}
