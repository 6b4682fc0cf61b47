import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeText, encodeText, expandPaths, isDockerfileName, kindOf } from '../src/files.js';

test('Dockerfile names: the usual spellings are Dockerfiles', () => {
  for (const name of ['Dockerfile', 'Containerfile', 'Dockerfile.prod', 'api.Dockerfile', 'web.Containerfile']) {
    assert.equal(isDockerfileName(name), true, name);
  }
});

test('Dockerfile names: ignore files and look-alikes are not', () => {
  for (const name of ['Dockerfile.dockerignore', 'api.Dockerfile.dockerignore', '.dockerignore', 'Dockerfiles.md']) {
    assert.equal(isDockerfileName(name), false, name);
  }
});

test('input kinds: manifests by extension, Dockerfiles by name, the rest skipped', () => {
  assert.equal(kindOf('k8s/deploy.yaml'), 'manifest');
  assert.equal(kindOf('k8s/list.JSON'), 'manifest');
  assert.equal(kindOf('app/Dockerfile'), 'dockerfile');
  assert.equal(kindOf('app/Dockerfile.dockerignore'), undefined);
  assert.equal(kindOf('README.md'), undefined);
});

test('text encodings: UTF-8 with and without a byte-order mark, UTF-16 by its mark or by its zero bytes', () => {
  const text = 'apiVersion: v1\nkind: Pod # été\n';
  const utf16le = Buffer.from(text, 'utf16le');
  const utf16be = Buffer.from(utf16le).swap16();
  const cases: [Buffer, string][] = [
    [Buffer.from(text), 'utf8'],
    [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'utf8-bom'],
    [Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]), 'utf16le'],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]), 'utf16be'],
    [utf16le, 'utf16le'],
    [utf16be, 'utf16be'],
  ];
  for (const [bytes, encoding] of cases) {
    const decoded = decodeText(bytes);
    assert.deepEqual(decoded, { text, encoding }, encoding);
    // What a fix writes back is byte for byte the original when nothing changed (a mark is written when read).
    if (bytes[0] === 0xef || bytes[0] === 0xff || bytes[0] === 0xfe || encoding === 'utf8')
      assert.deepEqual(encodeText(decoded.text, decoded.encoding), bytes, encoding);
  }
  assert.equal(decodeText(Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a])).encoding, 'utf8-invalid');
});

test('folders: symbolic links to files and folders are followed, a loop is walked once, a file is read once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-files-'));
  try {
    mkdirSync(join(dir, 'app', 'k8s'), { recursive: true });
    mkdirSync(join(dir, 'shared'));
    writeFileSync(join(dir, 'shared', 'service.yaml'), 'kind: Service\n');
    writeFileSync(join(dir, 'app', 'k8s', 'deploy.yaml'), 'kind: Deployment\n');
    symlinkSync(join(dir, 'shared', 'service.yaml'), join(dir, 'app', 'k8s', 'service.yaml'));
    symlinkSync(join(dir, 'shared'), join(dir, 'app', 'common'));
    symlinkSync(join(dir, 'app'), join(dir, 'app', 'k8s', 'loop'));
    symlinkSync(join(dir, 'missing.yaml'), join(dir, 'app', 'broken.yaml'));
    const files = expandPaths([join(dir, 'app')], dir);
    assert.deepEqual(files, ['app/broken.yaml', 'app/common/service.yaml', 'app/k8s/deploy.yaml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
