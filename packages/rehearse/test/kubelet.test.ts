import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveProbe } from '@zerodrop/core';
import { Containment } from '../src/containment.js';
import { Pod, restartBackoffSeconds } from '../src/kubelet.js';
import type { PodState } from '../src/result.js';
import type { PodSettings } from '../src/settings.js';
import { waitFor } from './support/procs.js';

const fixture = (name: string) => [process.execPath, fileURLToPath(new URL(`./fixtures/${name}.js`, import.meta.url))];
const pods: Pod[] = [];
const containment = new Containment();
after(async () => {
  await Promise.all(pods.map((p) => p.abort()));
  containment.dispose();
});

const origin = performance.now();
let nextPort = 20000 + Math.floor(Math.random() * 5000) * 2;
const ready = resolveProbe({ httpGet: { path: '/health/ready' }, periodSeconds: 1, failureThreshold: 2 });

function pod(app: string, settings: Partial<PodSettings>, speed = 10): Pod {
  const p = new Pod({
    name: `${app}-${pods.length}`,
    revision: 'old',
    port: nextPort++,
    command: fixture(app),
    env: { ZERODROP_SPEED: String(speed) },
    settings: { gracePeriodSeconds: 30, stopSignal: 'SIGTERM', readiness: ready, ...settings },
    speed,
    clock: () => performance.now() - origin,
    containment,
  });
  pods.push(p);
  p.start();
  return p;
}

const at = (p: Pod, state: PodState) => p.events.find((e) => e.state === state)?.atMs;
const states = (p: Pod) => p.events.map((e) => e.state);

describe('kubelet', () => {
  test('Ready after the readiness probe passes; preStop sleep, then the stop signal; readiness keeps running', async () => {
    const p = pod('draining', { preStop: { type: 'sleep', seconds: 3 } });
    await waitFor(() => p.ready);
    assert.ok(p.readySinceMs !== undefined);
    const deleted = p.delete();
    assert.equal(p.terminating, true);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(p.ready, true, 'still serving during preStop: readiness still passes');
    assert.ok(!states(p).includes('stop-signal'), 'no stop signal during the preStop sleep');
    await deleted;
    assert.deepEqual(
      states(p).filter((s) => ['terminating', 'prestop-done', 'stop-signal', 'not-ready', 'exited'].includes(s)),
      ['terminating', 'prestop-done', 'stop-signal', 'not-ready', 'exited'],
      'the draining app fails readiness after SIGTERM, then exits',
    );
    const preStop = (at(p, 'stop-signal') ?? 0) - (at(p, 'terminating') ?? 0);
    assert.ok(preStop >= 290, `the stop signal comes after the 3 s preStop at --speed 10 (${preStop} ms)`);
    assert.equal(p.gone, true);
    assert.equal(p.killedAtMs, undefined);
  });

  test('an app that ignores SIGTERM is SIGKILLed at max(grace - preStop, 2 s) after the stop signal', async () => {
    const p = pod('ignores-sigterm', { preStop: { type: 'sleep', seconds: 2 }, gracePeriodSeconds: 3 });
    await waitFor(() => p.ready);
    await p.delete();
    assert.ok(states(p).includes('killed'));
    assert.ok(p.killedAtMs !== undefined);
    // preStop 2 s, grace 3 s: SIGKILL at 2 + max(1, 2) = 4 s, i.e. 400 ms at --speed 10
    const total = (at(p, 'killed') ?? 0) - (at(p, 'terminating') ?? 0);
    assert.ok(total >= 390, `SIGKILL at 4 s (${total} ms at --speed 10)`);
  });

  test('preStop is cut at the grace period, then the minimum 2 s', async () => {
    const p = pod('ignores-sigterm', { preStop: { type: 'sleep', seconds: 60 }, gracePeriodSeconds: 3 });
    await waitFor(() => p.ready);
    await p.delete();
    const cut = (at(p, 'prestop-done') ?? 0) - (at(p, 'terminating') ?? 0);
    const killed = (at(p, 'killed') ?? 0) - (at(p, 'terminating') ?? 0);
    assert.ok(cut >= 290 && cut < 3000, `preStop cut at grace 3 s (${cut} ms)`);
    assert.ok(killed >= 490, `SIGKILL 2 s later, at 5 s (${killed} ms)`);
  });

  test('a preStop httpGet holds the stop signal until the app answers', async () => {
    const p = pod('naive', { preStop: { type: 'httpGet', path: '/prestop?ms=300' } });
    await waitFor(() => p.ready);
    await p.delete();
    const held = (at(p, 'stop-signal') ?? 0) - (at(p, 'terminating') ?? 0);
    assert.ok(held >= 290, `held for the app's 300 ms (${held} ms)`);
    assert.equal(p.lastExit?.signal, 'SIGTERM');
  });

  test('a crashing container is restarted with CrashLoopBackOff and never becomes Ready', async () => {
    assert.deepEqual([1, 2, 3, 4, 10].map(restartBackoffSeconds), [10, 20, 40, 80, 300]);
    assert.equal(restartBackoffSeconds(0), 0);
    const p = pod('crashes', {}, 100);
    await waitFor(() => p.restarts >= 2);
    assert.equal(p.ready, false);
    assert.ok(p.events.some((e) => e.state === 'exited' && e.detail === 'code 1'));
    assert.match(p.output().stderr.join('\n'), /DATABASE_URL/);
  });

  test('a failing liveness probe restarts the container; a failing readiness probe does not', async () => {
    const liveness = resolveProbe({ httpGet: { path: '/health/ready' }, periodSeconds: 1, failureThreshold: 2 });
    const p = pod('never-ready', { liveness }, 20);
    await waitFor(() => p.restarts >= 1);
    assert.equal(p.ready, false);
    assert.ok(p.events.some((e) => e.detail === 'liveness probe failed'));
    const q = pod('never-ready', {}, 20);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(q.restarts, 0);
    assert.equal(q.ready, false);
  });

  test('a startup probe that never passes restarts the container; readiness waits for it', async () => {
    const startup = resolveProbe({ httpGet: { path: '/health/ready' }, periodSeconds: 1, failureThreshold: 2 });
    const p = pod('never-ready', { startup, readiness: resolveProbe({ tcpSocket: {}, periodSeconds: 1 }) }, 20);
    await waitFor(() => p.restarts >= 1);
    assert.equal(p.ready, false, 'the tcp readiness probe never ran');
    assert.ok(p.events.some((e) => e.detail === 'startup probe failed'));
  });

  test('no readiness probe: Ready as soon as the container runs', async () => {
    const p = pod('naive', { readiness: undefined });
    await waitFor(() => p.running);
    assert.equal(p.ready, true);
  });
});
