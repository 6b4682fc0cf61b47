import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectiveRollout } from '@zerodrop/core';
import { rehearse } from '../src/rehearsal.js';
import { testSettings } from './support/settings.js';

describe('rehearsal behind ingress-nginx (L7)', () => {
  test('without preStop the proxy answers 5xx for the pods that went away', async () => {
    const result = await rehearse(testSettings('naive', 'ingress-nginx'));
    assert.equal(result.outcome?.status, 'completed');
    assert.ok(result.requests.byKind.http5xx > 0, JSON.stringify(result.requests.byKind));
  });

  test('a draining app with a preStop sleep past the worst propagation drops nothing', async () => {
    const settings = testSettings('draining', 'ingress-nginx');
    settings.pod.preStop = { type: 'sleep', seconds: 6 };
    const result = await rehearse(settings);
    assert.equal(result.requests.failed, 0, JSON.stringify(result.failures.slice(0, 3)));
    assert.ok(result.requests.total > 150);
  });
});

describe('rehearsal behind a GKE NEG load balancer', () => {
  test('health checks gate readiness; without preStop the LB keeps sending to pods that are gone', async () => {
    const result = await rehearse(testSettings('naive', 'gke-neg', { speed: 10 }));
    assert.equal(result.outcome?.status, 'completed');
    assert.ok(result.requests.failed > 0);
    assert.ok(result.events?.some((e) => /gke-neg health check: new-1 healthy/.test(e.what)));
  });
});

describe('Recreate', () => {
  test('every old pod is gone before the first new one starts: requests fail in between', async () => {
    const settings = testSettings('draining', 'kube-proxy', { rollout: effectiveRollout(2, { type: 'Recreate' }) });
    settings.pod.preStop = { type: 'sleep', seconds: 3 };
    const result = await rehearse(settings);
    const lastOldGone = Math.max(
      ...result.pods.filter((p) => p.revision === 'old').map((p) => p.events.at(-1)?.atMs ?? 0),
    );
    const firstNew = Math.min(...result.pods.filter((p) => p.revision === 'new').map((p) => p.events[0]?.atMs ?? 0));
    assert.ok(firstNew >= lastOldGone, `new pods start at ${firstNew} ms, after the last old one at ${lastOldGone} ms`);
    assert.ok(result.requests.failed > 0, 'nothing serves between the two');
  });
});
