import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getProfile } from '@zerodrop/core';
import { DelayedEndpoints, EndpointSlice, endpointOf, propagationSeconds } from '../src/endpoints.js';

const src = (name: string, ready: boolean, terminating = false, gone = false) => ({
  name,
  port: 1,
  ready,
  terminating,
  gone,
});

describe('EndpointSlice conditions (KEP-1672)', () => {
  test('ready = serving and not terminating; serving follows Ready even while terminating; gone has none', () => {
    assert.deepEqual(endpointOf(src('a', true)), { pod: 'a', port: 1, ready: true, serving: true, terminating: false });
    assert.deepEqual(endpointOf(src('a', true, true)), {
      pod: 'a',
      port: 1,
      ready: false,
      serving: true,
      terminating: true,
    });
    assert.deepEqual(endpointOf(src('a', false, true)), {
      pod: 'a',
      port: 1,
      ready: false,
      serving: false,
      terminating: true,
    });
    assert.equal(endpointOf(src('a', false, true, true)), undefined);
  });

  test('emits a change only when something changed', () => {
    const slice = new EndpointSlice();
    let changes = 0;
    slice.on('change', () => changes++);
    slice.update([src('a', true)]);
    slice.update([src('a', true)]);
    slice.update([src('a', false)]);
    assert.equal(changes, 2);
  });
});

describe('propagation delays', () => {
  const kubeProxy = getProfile('kube-proxy').consumers[0]!;
  test('typical, worst, fixed, or drawn between them', () => {
    assert.equal(propagationSeconds(kubeProxy, 'typical'), kubeProxy.propagation.typicalSeconds);
    assert.equal(propagationSeconds(kubeProxy, 'worst'), kubeProxy.propagation.worstSeconds);
    assert.equal(propagationSeconds(kubeProxy, 0.3), 0.3);
    assert.equal(
      propagationSeconds(kubeProxy, 'random', () => 0.5),
      (kubeProxy.propagation.typicalSeconds + kubeProxy.propagation.worstSeconds) / 2,
    );
  });

  test('a consumer learns each change after its delay, in order, even when delays differ', async () => {
    const slice = new EndpointSlice();
    const delays = [120, 10];
    const view = new DelayedEndpoints(slice, () => delays.shift() ?? 0);
    const seen: string[] = [];
    view.on('change', (e: { pod: string; ready: boolean }[]) => seen.push(e.map((x) => `${x.pod}:${x.ready}`).join()));
    const t0 = performance.now();
    slice.update([src('a', true)]);
    slice.update([src('a', true), src('b', true)]);
    assert.deepEqual(view.endpoints, []);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(seen, [], 'the short second delay does not overtake the first');
    while (seen.length === 0 && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    assert.ok(performance.now() - t0 >= 110);
    assert.deepEqual(seen.at(-1), 'a:true,b:true');
    view.close();
  });
});
