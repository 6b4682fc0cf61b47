import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDockerfileName, kindOf } from '../src/files.js';

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
