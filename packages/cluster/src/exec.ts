import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion and collects its output; never rejects except when it cannot be started. */
export function exec(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; input?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines = (chunk: string) => {
      if (!options.onLine) return;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) options.onLine(line);
    };
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      lines(c);
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      lines(c);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial && options.onLine) options.onLine(partial);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a program and throws with its output when it fails. */
export async function execOk(file: string, args: readonly string[], options: Parameters<typeof exec>[2] = {}) {
  const result = await exec(file, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result;
}
