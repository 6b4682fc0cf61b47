import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserInputError } from './errors.js';
import { decodeText, encodeText, type TextEncoding } from './files.js';

/** One file to rewrite: its new text, the encoding to write it in, and the text it had when it was read. */
export interface FileWrite {
  file: string;
  text: string;
  encoding?: TextEncoding;
  /** The text the change was made from: when the file no longer holds it, nothing is written. */
  original: string;
}

/** The file system calls that move a written file into place (replaceable to test a failure half-way). */
export interface RenameOps {
  rename(from: string, to: string): void;
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error);

interface Staged {
  write: FileWrite;
  /** The real file (a symbolic link's target). */
  target: string;
  temp: string;
  before: Buffer;
  mode: number;
}

/** Writes bytes to a new temp file next to `target` with its mode (and owner, when allowed), flushed to disk. */
function writeTemp(target: string, bytes: Buffer, mode: number, uid: number, gid: number): string {
  const temp = join(
    dirname(target),
    `.${basename(target)}.zerodrop-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
  const fd = openSync(temp, 'wx', mode);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fchmodSync(fd, mode);
    try {
      fchownSync(fd, uid, gid);
    } catch {
      // Only a privileged user can give a file away; the file then belongs to whoever runs the fix.
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Already closed on the error path.
    }
  }
  return temp;
}

function syncFolder(path: string): void {
  try {
    const fd = openSync(dirname(path), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot sync a folder; the rename itself is still atomic.
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * Rewrites several files all or none. Each new text goes to a temp file in its target's own folder (the same file
 * system, so the rename is atomic), is flushed to disk and gets the target's mode; only once every temp file is
 * written are they renamed over their targets, and should a rename fail, the files already replaced get their old
 * bytes back. A symbolic link keeps pointing where it did: its target is rewritten. A read-only file, a folder that
 * cannot be written, or a file changed since it was read is a UserInputError naming the path, and nothing changes.
 */
export function writeFilesAtomically(writes: readonly FileWrite[], ops: RenameOps = { rename: renameSync }): void {
  const staged: Staged[] = [];
  /** Removes the temp files written so far; the error to throw says which file stopped the write. */
  const abort = (file: string, code: string, message: string): UserInputError => {
    for (const s of staged) removeQuietly(s.temp);
    return new UserInputError(code, file, `${message}; no file was changed`);
  };
  for (const write of writes) {
    let target: string;
    let before: Buffer;
    let stat: ReturnType<typeof statSync>;
    try {
      target = realpathSync(write.file);
      stat = statSync(target);
      before = readFileSync(target);
    } catch (error) {
      throw abort(write.file, 'ERR_ZERODROP_UNWRITABLE', `cannot read it again before writing (${errnoOf(error)})`);
    }
    if ((stat.mode & 0o222) === 0)
      throw abort(write.file, 'ERR_ZERODROP_READ_ONLY', 'the file is read-only (make it writable to fix it)');
    if (decodeText(before).text !== write.original)
      throw abort(write.file, 'ERR_ZERODROP_CHANGED', 'the file changed since it was read (run the fix again)');
    let temp: string;
    try {
      temp = writeTemp(target, encodeText(write.text, write.encoding), stat.mode & 0o7777, stat.uid, stat.gid);
    } catch (error) {
      throw abort(write.file, 'ERR_ZERODROP_UNWRITABLE', `cannot write next to it (${errnoOf(error)})`);
    }
    staged.push({ write, target, temp, before, mode: stat.mode & 0o7777 });
  }
  const done: Staged[] = [];
  for (const s of staged) {
    try {
      ops.rename(s.temp, s.target);
      done.push(s);
      syncFolder(s.target);
    } catch (error) {
      // Put back what was already replaced, then report: the set of files stays as it was.
      for (const d of done) {
        try {
          const stat = statSync(d.target);
          ops.rename(writeTemp(d.target, d.before, d.mode, stat.uid, stat.gid), d.target);
        } catch {
          // The restore itself failed: the message below says which file to check.
        }
      }
      for (const rest of staged) if (!done.includes(rest)) removeQuietly(rest.temp);
      throw new UserInputError(
        'ERR_ZERODROP_UNWRITABLE',
        s.write.file,
        `cannot replace it (${errnoOf(error)}); the files already replaced were put back`,
      );
    }
  }
}
