import assert from 'node:assert/strict';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { UserInputError } from '../src/errors.js';
import { writeFilesAtomically } from '../src/write.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zerodrop-write-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string, mode = 0o644) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
};

test('a file is replaced with its mode kept; through a link, the target is rewritten and the link stays', () => {
  const target = file('real.yaml', 'a: 1\n', 0o640);
  const link = join(dir, 'link.yaml');
  symlinkSync(target, link);
  writeFilesAtomically([{ file: link, text: 'a: 2\n', original: 'a: 1\n' }]);
  assert.equal(lstatSync(link).isSymbolicLink(), true);
  assert.equal(readFileSync(target, 'utf8'), 'a: 2\n');
  assert.equal(statSync(target).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dir).sort(), ['link.yaml', 'real.yaml'], 'no temp file left');
});

test('UTF-16 files are written back as UTF-16 with their mark', () => {
  const path = join(dir, 'u.yaml');
  writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: 1\n', 'utf16le')]));
  writeFilesAtomically([{ file: path, text: 'a: 2\n', original: 'a: 1\n', encoding: 'utf16le' }]);
  assert.deepEqual(readFileSync(path), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: 2\n', 'utf16le')]));
});

test('all or none: a read-only file, or one changed since it was read, stops every write', () => {
  const a = file('a.yaml', 'a: 1\n');
  const b = file('b.yaml', 'b: 1\n', 0o444);
  assert.throws(
    () =>
      writeFilesAtomically([
        { file: a, text: 'a: 2\n', original: 'a: 1\n' },
        { file: b, text: 'b: 2\n', original: 'b: 1\n' },
      ]),
    (error: unknown) =>
      error instanceof UserInputError &&
      error.code === 'ERR_ZERODROP_READ_ONLY' &&
      error.file === b &&
      /no file was changed/.test(error.message),
  );
  assert.equal(readFileSync(a, 'utf8'), 'a: 1\n');
  assert.throws(() => writeFilesAtomically([{ file: a, text: 'a: 2\n', original: 'a: 0\n' }]), {
    code: 'ERR_ZERODROP_CHANGED',
  });
  assert.deepEqual(readdirSync(dir).sort(), ['a.yaml', 'b.yaml'], 'no temp file left');
});

test('a rename that fails half-way puts back the files already replaced', () => {
  const a = file('a.yaml', 'a: 1\n');
  const b = file('b.yaml', 'b: 1\n');
  let renames = 0;
  const failSecond = {
    rename(from: string, to: string) {
      if (++renames === 2) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
      renameSync(from, to);
    },
  };
  assert.throws(
    () =>
      writeFilesAtomically(
        [
          { file: a, text: 'a: 2\n', original: 'a: 1\n' },
          { file: b, text: 'b: 2\n', original: 'b: 1\n' },
        ],
        failSecond,
      ),
    (error: unknown) => error instanceof UserInputError && error.file === b && /ENOSPC.*put back/.test(error.message),
  );
  assert.equal(readFileSync(a, 'utf8'), 'a: 1\n');
  assert.equal(readFileSync(b, 'utf8'), 'b: 1\n');
  assert.deepEqual(readdirSync(dir).sort(), ['a.yaml', 'b.yaml'], 'no temp file left');
});
