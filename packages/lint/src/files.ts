import { type Dirent, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { UserInputError } from './errors.js';

export type InputKind = 'manifest' | 'dockerfile';

/**
 * How a file's bytes were text: UTF-8 (with or without a byte-order mark) or UTF-16. A fix writes the file back in
 * the same encoding. `utf8-invalid` text was read with replacement characters: it is linted, never rewritten.
 */
export type TextEncoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be' | 'utf8-invalid';

/** One input to lint: a file's text (or stdin's, as file `<stdin>`). */
export interface Input {
  file: string;
  kind: InputKind;
  text: string;
  /** How the text was stored; UTF-8 when left out. */
  encoding?: TextEncoding;
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

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Collects the files to lint under `dir`, following symbolic links (to files and to folders). A folder is walked
 * once, by its real path, so a link back to a parent cannot loop; a broken link is kept, to be reported as
 * unreadable.
 */
function walk(dir: string, out: string[], visited: Set<string>): void {
  const real = realpathOrSelf(dir);
  if (visited.has(real)) return;
  visited.add(real);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new UserInputError(
      'ERR_ZERODROP_UNREADABLE',
      dir,
      `cannot read the folder: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') && entry.name !== '.') continue;
    const path = join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = statSync(path);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      } catch {
        // A broken link with a manifest's name is listed, and reported as unreadable.
        isFile = true;
      }
    }
    if (isDirectory) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, out, visited);
    } else if (isFile && !SKIPPED_FILES.has(entry.name) && kindOf(entry.name)) out.push(path);
  }
}

/**
 * Expands paths (files, folders walked recursively, `-` for stdin) into the files to read, relative to `cwd` for
 * display. A file reached twice (through a link, or named twice) is read once. A path that does not exist is a
 * UserInputError.
 */
export function expandPaths(paths: readonly string[], cwd = process.cwd()): string[] {
  const files: string[] = [];
  const visited = new Set<string>();
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
    if (stat.isDirectory()) walk(p, files, visited);
    else files.push(p);
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const file of files) {
    const key = file === STDIN ? STDIN : realpathOrSelf(file);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(file === STDIN ? file : relative(cwd, file) || file);
  }
  return out;
}

/**
 * Decodes a file's bytes as YAML allows them to be stored (YAML 1.2 §5.2): UTF-8 with or without a byte-order mark,
 * or UTF-16 (told by its mark, or by the zero byte next to the first ASCII character).
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncoding } {
  const b0 = bytes[0];
  const b1 = bytes[1];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf)
    return { text: utf8(buffer.subarray(3)).text, encoding: 'utf8-bom' };
  const le = (b0 === 0xff && b1 === 0xfe) || (b0 !== undefined && b0 !== 0 && b1 === 0);
  const be = (b0 === 0xfe && b1 === 0xff) || (b0 === 0 && b1 !== undefined && b1 !== 0);
  if (le || be) {
    const body = Buffer.from(buffer.subarray(b0 === 0xff || b0 === 0xfe ? 2 : 0));
    const even = body.subarray(0, body.length - (body.length % 2));
    if (be) even.swap16();
    return { text: even.toString('utf16le'), encoding: be ? 'utf16be' : 'utf16le' };
  }
  return utf8(buffer);
}

function utf8(bytes: Buffer): { text: string; encoding: TextEncoding } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('utf8'), encoding: 'utf8-invalid' };
  }
}

/** The bytes of `text` in the encoding a file was read in (UTF-16 and UTF-8 byte-order marks kept). */
export function encodeText(text: string, encoding: TextEncoding = 'utf8'): Buffer {
  switch (encoding) {
    case 'utf8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16be': {
      const body = Buffer.from(text, 'utf16le');
      body.swap16();
      return Buffer.concat([Buffer.from([0xfe, 0xff]), body]);
    }
    default:
      return Buffer.from(text, 'utf8');
  }
}

/** Reads one file; unreadable files are UserInputErrors. Files named on the command line count as manifests. */
export function readInput(file: string, stdin?: Uint8Array): Input {
  const kind = file === STDIN ? 'manifest' : (kindOf(file) ?? 'manifest');
  let bytes: Uint8Array;
  if (file === STDIN) bytes = stdin ?? new Uint8Array();
  else {
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new UserInputError(
        'ERR_ZERODROP_UNREADABLE',
        file,
        `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  }
  const { text, encoding } = decodeText(bytes);
  return encoding === 'utf8' ? { file, kind, text } : { file, kind, text, encoding };
}

/** How much of stdin is read at a time: a block this large is mapped on its own and given back whole once freed. */
const STDIN_BLOCK = 4 * 1024 * 1024;

/**
 * Reads all of stdin. A pipe is read straight from its descriptor into blocks of 4 MiB: read as a stream it would
 * come in 64 KiB pieces from the C library's heap, and once freed they stay in the process's memory (a 36 MiB
 * `helm template` stream left about 20 MiB of it through the whole lint). A descriptor that does not block (a
 * terminal, a pipe already opened as a stream) is read as a stream.
 */
export async function readStdin(): Promise<Buffer> {
  try {
    return await readBlocks();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserInputError('ERR_ZERODROP_UNREADABLE', STDIN, `cannot read standard input: ${code}`);
  }
}

async function readBlocks(): Promise<Buffer> {
  const blocks: Buffer[] = [];
  for (;;) {
    const block = Buffer.allocUnsafeSlow(STDIN_BLOCK);
    let filled = 0;
    try {
      while (filled < block.length) {
        const n = readSync(0, block, filled, block.length - filled, null);
        if (n === 0) break;
        filled += n;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EOF') throw error;
      blocks.push(block.subarray(0, filled));
      if (code === 'EAGAIN') for await (const chunk of process.stdin) blocks.push(chunk as Buffer);
      return Buffer.concat(blocks);
    }
    blocks.push(block.subarray(0, filled));
    if (filled < block.length) return Buffer.concat(blocks);
  }
}
