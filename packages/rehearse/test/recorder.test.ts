import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestRecord } from '../src/load.js';
import { classify, percentile, Recorder } from '../src/recorder.js';

const rec = (
  start: number,
  end: number,
  outcome: RequestRecord['outcome'],
  extra: Partial<RequestRecord> = {},
): RequestRecord => ({
  start,
  end,
  path: '/',
  outcome,
  attempts: 1,
  ...extra,
});

describe('classify', () => {
  test('in flight when its pod was SIGKILLed: killed', () => {
    assert.equal(classify(rec(100, 200, 'reset'), { podKilledAt: 150 }), 'killed');
    assert.equal(classify(rec(100, 200, 'http5xx'), { podKilledAt: 150 }), 'killed');
    assert.equal(classify(rec(160, 200, 'reset'), { podKilledAt: 150 }), 'reset', 'sent after the kill');
    assert.equal(classify(rec(100, 200, 'ok'), { podKilledAt: 150 }), 'ok');
  });

  test('a reset on a connection the L4 proxy could not route is refused', () => {
    const connection = { clientPort: 1, openedAt: 0, cut: 'no-endpoint' as const };
    assert.equal(classify(rec(0, 1, 'reset'), { connection }), 'refused');
    assert.equal(classify(rec(0, 1, 'reset'), { connection: { ...connection, cut: 'refused' } }), 'refused');
    assert.equal(classify(rec(0, 1, 'reset'), { connection: { ...connection, cut: 'reset' } }), 'reset');
    assert.equal(classify(rec(0, 1, 'timeout'), {}), 'timeout');
  });
});

describe('Recorder', () => {
  test('counts by kind, phase and pod; latency of successful requests only; a timeline', () => {
    const r = new Recorder(1000, (record) => (record.pod === 'old-1' ? { podKilledAt: 1550 } : {}));
    r.enterPhase('warmup', 1000);
    r.enterPhase('rollout', 1500);
    r.add(rec(1100, 1110, 'ok', { pod: 'old-1' }));
    r.add(rec(1200, 1230, 'ok', { pod: 'old-2' }));
    r.add(rec(1520, 1600, 'reset', { pod: 'old-1' }));
    r.add(rec(1700, 1701, 'refused'));
    const s = r.summarize(1000);
    assert.equal(s.requests.total, 4);
    assert.equal(s.requests.failed, 2);
    assert.equal(s.requests.byKind.killed, 1);
    assert.equal(s.requests.byKind.refused, 1);
    assert.deepEqual(s.requests.byPhase.warmup, { total: 2, failed: 0 });
    assert.deepEqual(s.requests.byPhase.rollout, { total: 2, failed: 2 });
    assert.equal(s.requests.latencyMs.p50, 10);
    assert.equal(s.requests.latencyMs.max, 30);
    assert.deepEqual(r.byPod.get('old-1'), { ok: 1, failed: 1 });
    assert.equal(r.failures[0]?.kind, 'killed');
    assert.equal(r.failures[0]?.atMs, 520);
    assert.equal(
      s.timeline.buckets.reduce((a, b) => a + b.ok + b.failed, 0),
      4,
    );
  });

  test('percentile is nearest-rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(sorted, 50), 5);
    assert.equal(percentile(sorted, 99), 10);
    assert.equal(percentile([], 50), 0);
  });
});
