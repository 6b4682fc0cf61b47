import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PodEvent, PodRecord, RehearsalResult } from '../src/result.js';
import { rolloutShape, stepsText } from '../src/transitions.js';

type Shaped = Pick<RehearsalResult, 'rollout' | 'pods' | 'settings'>;

function pod(name: string, events: [number, PodEvent['state']][]): PodRecord {
  return {
    name,
    revision: name.startsWith('old') ? 'old' : 'new',
    port: 0,
    events: events.map(([atMs, state]) => ({ atMs, state })),
    requests: { ok: 0, failed: 0 },
  };
}

function result(replicas: number, rolloutAt: number, pods: PodRecord[]): Shaped {
  return {
    settings: { replicas } as RehearsalResult['settings'],
    rollout: { durationMs: 0, completed: true, phases: [{ name: 'rollout', startMs: rolloutAt, endMs: 99_000 }] },
    pods,
  };
}

describe('rolloutShape', () => {
  test('a maxSurge 1 / maxUnavailable 0 rollout alternates one up, one down', () => {
    const shape = rolloutShape(
      result(2, 1000, [
        pod('old-1', [
          [0, 'created'],
          [100, 'ready'],
          [2010, 'terminating'],
          [2500, 'exited'],
        ]),
        pod('old-2', [
          [0, 'created'],
          [120, 'ready'],
          [3010, 'terminating'],
        ]),
        pod('new-1', [
          [1000, 'created'],
          [1300, 'started'],
          [2000, 'ready'],
        ]),
        pod('new-2', [
          [2010, 'created'],
          [3000, 'ready'],
        ]),
      ]),
    );
    assert.equal(stepsText(shape.steps), '+1 new, -1 old, +1 new, -1 old');
    assert.equal(shape.maxSurge, 1);
    assert.equal(shape.maxUnavailable, 0);
    assert.equal(shape.newReady, 2);
  });

  test('consecutive actions of one kind are one step; a victim that was not Ready is named so', () => {
    const shape = rolloutShape(
      result(3, 500, [
        pod('old-1', [
          [0, 'created'],
          [100, 'ready'],
          [400, 'not-ready'],
          [600, 'terminating'],
        ]),
        pod('old-2', [
          [0, 'created'],
          [100, 'ready'],
          [610, 'terminating'],
        ]),
        pod('old-3', [
          [0, 'created'],
          [100, 'ready'],
          [620, 'terminating'],
        ]),
        pod('new-1', [[2000, 'created']]),
        pod('new-2', [[2001, 'created']]),
        pod('new-3', [[2003, 'created']]),
      ]),
    );
    assert.equal(stepsText(shape.steps), '-1 old not-ready, -2 old, +3 new');
    // Measured from the rollout on: one old pod was already not Ready, then none was.
    assert.equal(shape.maxUnavailable, 3);
    assert.equal(shape.maxSurge, 0);
    assert.equal(shape.newReady, 0);
  });

  test('one moment: a creation seen 40 ms before the deletion that made room for it is no surge', () => {
    const shape = rolloutShape(
      result(2, 0, [
        pod('old-1', [
          [-500, 'created'],
          [-400, 'ready'],
          [1000, 'terminating'],
        ]),
        pod('old-2', [
          [-500, 'created'],
          [-400, 'ready'],
          [3040, 'terminating'],
        ]),
        pod('new-1', [
          [1040, 'created'],
          [2000, 'ready'],
        ]),
        // Created 40 ms before old-2's deletion was seen (two ReplicaSets, two controllers' workers).
        pod('new-2', [
          [3000, 'created'],
          [3900, 'ready'],
        ]),
      ]),
    );
    assert.equal(stepsText(shape.steps), '-1 old, +1 new, -1 old, +1 new');
    assert.equal(shape.maxSurge, 0);
    assert.equal(shape.maxUnavailable, 1);
    // Seen 300 ms apart, they are two moments: the order stands, and so does the surge.
    const apart = rolloutShape(
      result(1, 0, [
        pod('old-1', [
          [-500, 'created'],
          [-400, 'ready'],
          [1300, 'terminating'],
        ]),
        pod('new-1', [
          [1000, 'created'],
          [2000, 'ready'],
        ]),
      ]),
    );
    assert.equal(stepsText(apart.steps), '+1 new, -1 old');
    assert.equal(apart.maxSurge, 1);
  });

  test('without a rollout phase the rollout begins with the first new pod; no steps print as a dash', () => {
    const none = rolloutShape({
      ...result(1, 0, [pod('old-1', [[0, 'created']])]),
      rollout: { durationMs: 0, completed: false, phases: [] },
    });
    assert.equal(stepsText(none.steps), '–');
    assert.equal(none.maxSurge, 0);
  });
});
