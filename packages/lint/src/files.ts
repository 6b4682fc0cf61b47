import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { UserInputError } from './errors.js';

export type InputKind = 'manifest' | 'dockerfile';

/** One input to lint: a file's text (or stdin's, as file `<stdin>`). */
export interface Input {
  file: string;
  kind: InputKind;
  text: string;
}

export const STDIN = '<stdin>';
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'vendor']);
const SKIPPED_FILES = new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'biome.json']);

/** `Dockerfile`, `api.Dockerfile`, `Dockerfile.prod`, `Containerfile`; not BuildKit's `Dockerfile.dockerignore`. */
export function isDockerfileName(name: string): boolean {
  if (name.endsWith('.dockerignore')) return false;
  return /^(Dockerfile|Containerfile)(\.[\w.-]+)?$/.test(name) || /\.(Dockerfile|Containerfile)$/.test(name);
}

export function kindOf(file: string): InputKind | undefined {
  const name = basename(file);
  if (isDockerfileName(name)) return 'dockerfile';
  if (MANIFEST_EXTENSIONS.has(extname(name).toLowerCase())) return 'manifest';
  return undefined;
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') && entry.name !== '.') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, out);
    } else if (entry.isFile() && !SKIPPED_FILES.has(entry.name) && kindOf(entry.name)) out.push(path);
  }
}

/**
 * Expands paths (files, folders walked recursively, `-` for stdin) into the files to read, relative to `cwd` for
 * display. A path that does not exist is a UserInputError.
 */
export function expandPaths(paths: readonly string[], cwd = process.cwd()): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      files.push(STDIN);
      continue;
    }
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(p);
    } catch {
      throw new UserInputError('ERR_ZERODROP_NO_SUCH_PATH', p, 'no such file or directory');
    }
    if (stat.isDirectory()) {
      const found: string[] = [];
      walk(p, found);
      files.push(...found);
    } else files.push(p);
  }
  return [...new Set(files.map((f) => (f === STDIN ? f : relative(cwd, f) || f)))];
}

/** Reads one file; unreadable files are UserInputErrors. Files named on the command line count as manifests. */
export function readInput(file: string, stdinText?: string): Input {
  if (file === STDIN) return { file, kind: 'manifest', text: stdinText ?? '' };
  try {
    return { file, kind: kindOf(file) ?? 'manifest', text: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new UserInputError(
      'ERR_ZERODROP_UNREADABLE',
      file,
      `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

/** Reads all of stdin as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
