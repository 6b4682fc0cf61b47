import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type RolloutShape, readManifest } from '@zerodrop/rehearse';
import { differentialManifest, shapeDifferences } from '../src/differential.js';

const app = { command: ['node', '/srv/web.js'], cwd: '/srv' };

/** The manifest of a case as the rehearsal reads it. */
function read(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-differential-manifest-'));
  try {
    const file = join(dir, 'case.yaml');
    writeFileSync(file, text);
    return readManifest(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('differentialManifest', () => {
  test('the rehearsal reads the case back: strategy, minReadySeconds, deadline, preStop, flags', () => {
    const m = read(
      differentialManifest(
        {
          name: 'x',
          replicas: 4,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: 0 } },
          minReadySeconds: 3,
          progressDeadlineSeconds: 15,
          preStop: { exec: 3 },
          newPods: { readyAfterMs: 4000 },
          env: { GRACEFUL: '1' },
        },
        'web',
        app,
        '/scratch',
      ),
    );
    assert.equal(m.replicas, 4);
    assert.equal(m.rollout.maxSurge, 2);
    assert.equal(m.rollout.maxUnavailable, 0);
    assert.equal(m.minReadySeconds, 3);
    assert.equal(m.progressDeadlineSeconds, 15);
    assert.deepEqual(m.pod.preStop, { type: 'sleep', seconds: 3, inContainer: true });
    assert.equal(m.pod.readiness?.periodSeconds, 1);
    assert.deepEqual(m.env, {
      GRACEFUL: '1',
      NOT_READY_IF: '/scratch/web.not-ready',
      NOT_READY_FOR_MS: '4000',
      NOT_READY_ONE: '/scratch/web.one-not-ready',
    });
  });

  test('Recreate and the native sleep hook', () => {
    const m = read(
      differentialManifest(
        { name: 'x', replicas: 3, strategy: { type: 'Recreate' }, preStop: { sleep: 2 } },
        'web',
        app,
        '/scratch',
      ),
    );
    assert.equal(m.rollout.type, 'Recreate');
    assert.deepEqual(m.pod.preStop, { type: 'sleep', seconds: 2 });
    assert.equal(m.env.NOT_READY_FOR_MS, undefined);
  });
});

describe('shapeDifferences', () => {
  const shape = (steps: RolloutShape['steps'], extra: Partial<RolloutShape> = {}): RolloutShape => ({
    steps,
    maxSurge: 1,
    maxUnavailable: 0,
    newReady: 2,
    ...extra,
  });
  const up = { sign: '+', revision: 'new', count: 1, atMs: 0 } as const;
  const down = { sign: '-', revision: 'old', count: 1, atMs: 5 } as const;

  test('equal shapes have no difference, whatever the times', () => {
    assert.deepEqual(
      shapeDifferences(
        shape([up, down]),
        shape([
          { ...up, atMs: 900 },
          { ...down, atMs: 1200 },
        ]),
      ),
      [],
    );
  });

  test('each difference is named with both sides', () => {
    assert.deepEqual(shapeDifferences(shape([up, down]), shape([down, up], { maxSurge: 0, newReady: 1 })), [
      'steps: model +1 new, -1 old; real -1 old, +1 new',
      'max surge: model 1, real 0',
      'new pods Ready: model 2, real 1',
    ]);
    assert.deepEqual(shapeDifferences(shape([]), shape([], { maxUnavailable: 1 })), [
      'max unavailable: model 0, real 1',
    ]);
  });
});
