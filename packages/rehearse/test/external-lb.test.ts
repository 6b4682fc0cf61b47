import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExternalLoadBalancer } from '../src/consumers/external-lb.js';
import { type Backend, backend, ep, get, StaticView } from './support/backends.js';

let a: Backend;
let b: Backend;
const view = new StaticView();
// interval 1 s, thresholds 2 / 2, at --speed 20: a check every 50 ms
const lb = new ExternalLoadBalancer(view, {
  healthCheck: { intervalSeconds: 1, timeoutSeconds: 1, unhealthyThreshold: 2, healthyThreshold: 2 },
  path: '/health',
  speed: 20,
});
let port: number;

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), 'condition not met in 4 s');
}

before(async () => {
  [a, b] = await Promise.all([backend('a'), backend('b')]);
  port = await lb.listen();
});
after(async () => {
  await lb.close();
  await Promise.all([a.close(), b.close()]);
});

describe('external load balancer (GKE NEG / ALB)', () => {
  test('a new backend gets traffic only after healthyThreshold passing checks', async () => {
    const health: string[] = [];
    lb.on('health', (pod: string, ok: boolean) => health.push(`${pod}:${ok}`));
    view.set([ep(a)]);
    assert.equal(lb.isHealthy('a'), false);
    assert.equal((await get(port, false)).status, 503);
    await until(() => lb.isHealthy('a'));
    assert.deepEqual(health, ['a:true']);
    assert.equal((await get(port, false)).body, 'a');
  });

  test('decides by its own checks: a failing health path takes the backend out, whatever the endpoints say', async () => {
    view.set([ep(a), ep(b)]);
    await until(() => lb.isHealthy('b'));
    a.healthy = false;
    await until(() => !lb.isHealthy('a'));
    for (let i = 0; i < 4; i++) assert.equal((await get(port, false)).body, 'b');
    a.healthy = true;
  });

  test('a terminating endpoint is detached once the LB learns of it', async () => {
    view.set([ep(a, 'terminating'), ep(b)]);
    assert.equal(lb.isHealthy('a'), false);
    for (let i = 0; i < 4; i++) assert.equal((await get(port, false)).body, 'b');
  });
});
