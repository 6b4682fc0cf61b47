import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BINARY_NAMES, ensureBinaries, etcdWrapper, kubernetesWrapper, stagingModules } from '../src/binaries.js';
import { ClusterError } from '../src/errors.js';
import { tempDir } from './support/cluster.js';

test('the wrapper module replaces every staging module k8s.io/kubernetes points at ./staging', () => {
  const goMod = [
    'module k8s.io/kubernetes',
    'replace (',
    '\tk8s.io/api => ./staging/src/k8s.io/api',
    '\tk8s.io/kubectl => ./staging/src/k8s.io/kubectl',
    '\tgithub.com/other/thing => github.com/other/thing v1.2.3',
    ')',
    'replace k8s.io/client-go => ./staging/src/k8s.io/client-go',
  ].join('\n');
  const staging = stagingModules(goMod);
  assert.deepEqual(staging, ['k8s.io/api', 'k8s.io/client-go', 'k8s.io/kubectl']);
  const { goMod: wrapper, toolsGo } = kubernetesWrapper('v1.33.13', staging);
  assert.match(wrapper, /^require k8s\.io\/kubernetes v1\.33\.13$/m);
  assert.match(wrapper, /^\tk8s\.io\/api => k8s\.io\/api v0\.33\.13$/m);
  assert.match(wrapper, /^\tk8s\.io\/kubectl => k8s\.io\/kubectl v0\.33\.13$/m);
  assert.doesNotMatch(wrapper, /other\/thing/);
  for (const cmd of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
    assert.match(toolsGo, new RegExp(`_ "k8s\\.io/kubernetes/cmd/${cmd}"`));
  }
  assert.match(etcdWrapper('v3.5.21').goMod, /^require go\.etcd\.io\/etcd\/server\/v3 v3\.5\.21$/m);
});

test('ZERODROP_KUBERNETES_BIN: a folder with every binary is used as is; a missing one is named', async (t) => {
  const tmp = tempDir('zerodrop-bin-');
  const saved = process.env.ZERODROP_KUBERNETES_BIN;
  t.after(() => {
    if (saved === undefined) delete process.env.ZERODROP_KUBERNETES_BIN;
    else process.env.ZERODROP_KUBERNETES_BIN = saved;
    tmp.remove();
  });
  process.env.ZERODROP_KUBERNETES_BIN = tmp.dir;
  for (const name of BINARY_NAMES.filter((n) => n !== 'etcd')) {
    writeFileSync(join(tmp.dir, name), '#!/bin/sh\n');
    chmodSync(join(tmp.dir, name), 0o755);
  }
  await assert.rejects(
    ensureBinaries(),
    (e: unknown) => e instanceof ClusterError && e.code === 'BINARIES_MISSING' && /no executable etcd/.test(e.message),
  );
  writeFileSync(join(tmp.dir, 'etcd'), '#!/bin/sh\n');
  chmodSync(join(tmp.dir, 'etcd'), 0o755);
  assert.equal(await ensureBinaries(), tmp.dir);
});

test('without Go and without built binaries: a clear error that says what to do', async (t) => {
  const tmp = tempDir('zerodrop-nogo-');
  const saved = {
    PATH: process.env.PATH,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
    BIN: process.env.ZERODROP_KUBERNETES_BIN,
  };
  t.after(() => {
    process.env.PATH = saved.PATH;
    if (saved.XDG_CACHE_HOME === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.XDG_CACHE_HOME;
    if (saved.BIN !== undefined) process.env.ZERODROP_KUBERNETES_BIN = saved.BIN;
    tmp.remove();
  });
  mkdirSync(join(tmp.dir, 'empty-path'));
  process.env.PATH = join(tmp.dir, 'empty-path');
  process.env.XDG_CACHE_HOME = tmp.dir;
  delete process.env.ZERODROP_KUBERNETES_BIN;
  await assert.rejects(
    ensureBinaries(),
    (e: unknown) =>
      e instanceof ClusterError && e.code === 'NO_GO' && /Install Go, or set ZERODROP_KUBERNETES_BIN/.test(e.message),
  );
});
