import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { accessMessage, describePermission, permissionsFor } from '../src/access.js';
import { loadClusterAccess } from '../src/kubeconfig.js';

const scratch = mkdtempSync(join(tmpdir(), 'zerodrop-verify-access-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('each trigger needs what it does: restart patches the Deployment, a drain works on nodes and evictions', () => {
  const verbs = (kind: 'restart' | 'none') => permissionsFor({ kind }).map(describePermission);
  assert.ok(verbs('restart').includes('patch deployments.apps'));
  assert.ok(!verbs('none').includes('patch deployments.apps'));
  assert.ok(verbs('none').includes('watch endpointslices.discovery.k8s.io'));
  const drain = permissionsFor({ kind: 'drain', node: 'n1' });
  assert.deepEqual(drain.filter((p) => p.clusterWide).map(describePermission), [
    'get nodes',
    'patch nodes',
    'list pods',
    'create pods/eviction',
  ]);
});

test('the missing permissions in one message, grouped by resource, with what each is for', () => {
  const missing = permissionsFor({ kind: 'drain', node: 'n1' }).filter(
    (p) => p.resource === 'endpointslices' || p.resource === 'pods/eviction',
  );
  assert.equal(
    accessMessage('system:serviceaccount:ci:deployer', 'shop', missing),
    '"system:serviceaccount:ci:deployer" may not list, watch endpointslices.discovery.k8s.io in namespace shop (to record the endpoint timeline); create pods/eviction in every namespace (to evict the node\'s pods). Nothing was changed. Grant the Role (and for a drain the ClusterRole) of https://github.com/zerodrop/zerodrop/blob/main/packages/verify/README.md#rbac',
  );
});

test('kubeconfig: a missing file, an unreadable one, an unknown context; the context’s namespace', () => {
  assert.throws(() => loadClusterAccess({ kubeconfig: join(scratch, 'nope') }), /--kubeconfig .*nope: no such file/);
  const broken = join(scratch, 'broken');
  writeFileSync(broken, 'clusters: [unclosed\n');
  assert.throws(() => loadClusterAccess({ kubeconfig: broken }), /--kubeconfig .*broken cannot be read/);
  const file = join(scratch, 'config');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://203.0.113.9:6443' } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [
        { name: 'prod', context: { cluster: 'c', user: 'u', namespace: 'shop' } },
        { name: 'dev', context: { cluster: 'c', user: 'u' } },
      ],
      'current-context': 'dev',
    }),
  );
  const dev = loadClusterAccess({ kubeconfig: file });
  assert.equal(dev.context, 'dev');
  assert.equal(dev.namespace, undefined);
  const prod = loadClusterAccess({ kubeconfig: file, context: 'prod' });
  assert.deepEqual([prod.context, prod.server, prod.namespace], ['prod', 'https://203.0.113.9:6443', 'shop']);
  assert.throws(
    () => loadClusterAccess({ kubeconfig: file, context: 'staging' }),
    /no context "staging" in --kubeconfig .* \(it has: prod, dev\)/,
  );
});
