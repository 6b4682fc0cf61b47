import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { containerEnv, EnvError, expandReferences, fieldValue } from '../src/agent/env.js';

test('$(VAR) references: defined ones expand, $$ escapes, unknown ones stay', () => {
  const vars = { A: 'x', B_C: 'y' };
  assert.equal(expandReferences('$(A)-$(B_C)', vars), 'x-y');
  assert.equal(expandReferences('$$(A) $(MISSING) $A', vars), '$(A) $(MISSING) $A');
});

const pod: V1Pod = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { note: 'n' } },
  spec: { nodeName: 'node-a', serviceAccountName: 'sa', containers: [] },
};

test('fieldRef paths the downward API allows in env', () => {
  const at = (path: string) => fieldValue(pod, path, '198.18.1.5', '198.18.1.1');
  assert.equal(at('metadata.name'), 'web-1');
  assert.equal(at('metadata.namespace'), 'shop');
  assert.equal(at('metadata.uid'), 'u-1');
  assert.equal(at('spec.nodeName'), 'node-a');
  assert.equal(at('spec.serviceAccountName'), 'sa');
  assert.equal(at('status.podIP'), '198.18.1.5');
  assert.equal(at('status.hostIP'), '198.18.1.1');
  assert.equal(at("metadata.labels['app']"), 'web');
  assert.equal(at("metadata.annotations['note']"), 'n');
  assert.equal(at('spec.unknown'), undefined);
});

test('envFrom, then env in order; config maps and secrets; a missing required key is a config error', async () => {
  const maps: Record<string, Record<string, string>> = { cfg: { MODE: 'prod', LEVEL: '2' }, creds: { TOKEN: 't' } };
  const lookups = {
    map: async (_kind: 'configMap' | 'secret', name: string) => maps[name],
    key: async (_kind: 'configMap' | 'secret', name: string, key: string) => maps[name]?.[key],
  };
  const env = await containerEnv(
    pod,
    {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'absent', optional: true } }],
      env: [
        { name: 'LEVEL', value: 'literal' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'TOKEN' } } },
        { name: 'URL', value: 'http://$(POD_IP):80/$(CFG_MODE)' },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'OPTIONAL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
      ],
    },
    { podIP: '198.18.1.5', hostIP: '198.18.1.1' },
    lookups,
  );
  assert.deepEqual(env, {
    CFG_MODE: 'prod',
    CFG_LEVEL: '2',
    LEVEL: 'literal',
    TOKEN: 't',
    // POD_IP is defined after URL: the reference stays, as in Kubernetes.
    URL: 'http://$(POD_IP):80/prod',
    POD_IP: '198.18.1.5',
  });
  await assert.rejects(
    containerEnv(
      pod,
      { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }] },
      { podIP: '', hostIP: '' },
      lookups,
    ),
    (e: unknown) => e instanceof EnvError && /key "nope" of configMap "cfg" not found/.test(e.message),
  );
});
