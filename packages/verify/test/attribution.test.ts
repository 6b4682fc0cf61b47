import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObservedPod } from '@zerodrop/cluster';
import type { FailedRequest } from '@zerodrop/rehearse';
import {
  attributeRun,
  explainFailure,
  inferPod,
  type PodFacts,
  PROPAGATION_ALLOWANCE_MS,
  podFacts,
  preStopDelayMs,
} from '../src/attribution.js';

const ORIGIN = 1_000_000;

/** A pod as the timeline observes it; times in ms since ORIGIN. */
function observed(
  name: string,
  states: [number, ObservedPod['states'][number]['state'], string?][],
  spec: Record<string, unknown> = {},
  endpoint: [number, boolean][] = [],
  goneAt?: number,
): ObservedPod {
  return {
    name,
    uid: name,
    preexisting: false,
    pod: {
      metadata: { name, deletionGracePeriodSeconds: 30 },
      spec: { containers: [{ name: 'web', ports: [{ containerPort: 8080 }], ...spec }] },
    },
    states: states.map(([at, state, detail]) => ({ atMs: ORIGIN + at, state, ...(detail ? { detail } : {}) })),
    endpoint: endpoint.map(([at, present]) => ({
      atMs: ORIGIN + at,
      present,
      ready: present,
      serving: present,
      terminating: false,
    })),
    ...(goneAt !== undefined ? { goneAt: ORIGIN + goneAt } : {}),
  };
}

const probe = { readinessProbe: { httpGet: { path: '/ready', port: 8080 } } };

describe('podFacts', () => {
  test('no preStop: the stop signal is placed at the deletion, and said to be estimated', () => {
    const facts = podFacts(
      observed('old-1', [
        [0, 'created'],
        [10, 'ready'],
        [1000, 'terminating'],
        [1040, 'exited', 'signal SIGTERM'],
      ]),
      ORIGIN,
      'old',
    );
    assert.deepEqual(
      facts.events.map((e) => [e.atMs, e.state]),
      [
        [0, 'created'],
        [10, 'ready'],
        [1000, 'terminating'],
        [1000, 'stop-signal'],
        [1040, 'exited'],
      ],
    );
    assert.equal(facts.events[3]?.detail, 'estimated: no preStop hook');
    assert.equal(facts.stoppedAt, 1000);
    assert.equal(facts.lastExit, 'signal SIGTERM');
  });

  test("the grace period of the deletion counts, not the 0 of the kubelet's final delete", () => {
    const pod = observed(
      'old-1',
      [
        [0, 'ready'],
        [1000, 'terminating'],
        [7000, 'exited', 'code 0'],
      ],
      { lifecycle: { preStop: { sleep: { seconds: 5 } } } },
    );
    pod.pod.metadata = { name: 'old-1', deletionGracePeriodSeconds: 0 };
    pod.deletionGraceSeconds = 30;
    const facts = podFacts(pod, ORIGIN, 'old');
    assert.equal(facts.stoppedAt, 6000);
    assert.equal(
      facts.events.find((e) => e.state === 'stop-signal')?.detail,
      'estimated: after the preStop hook (5 s)',
    );
  });

  test('a preStop sleep holds the stop signal back by its seconds, capped at the grace period', () => {
    const sleep = { lifecycle: { preStop: { sleep: { seconds: 5 } } } };
    const facts = podFacts(
      observed(
        'old-1',
        [
          [0, 'ready'],
          [1000, 'terminating'],
          [9000, 'exited', 'code 0'],
        ],
        sleep,
      ),
      ORIGIN,
      'old',
    );
    assert.equal(facts.stoppedAt, 6000);
    assert.match(facts.events.find((e) => e.state === 'stop-signal')?.detail ?? '', /after the preStop hook \(5 s\)/);
    assert.equal(preStopDelayMs({ spec: { containers: [{ name: 'a', ...sleep }] } }, 3), 3000);
    assert.equal(preStopDelayMs({ spec: { containers: [{ name: 'a', ...sleep }] } }, 0), 0);
    const exec = { lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 7'] } } } };
    assert.equal(preStopDelayMs({ spec: { containers: [{ name: 'a', ...exec }] } }, 30), 7000);
    // An httpGet hook lasts as long as the app takes to answer: not in the API, so the exit stands in for it.
    const http = { lifecycle: { preStop: { httpGet: { path: '/prestop', port: 8080 } } } };
    assert.equal(preStopDelayMs({ spec: { containers: [{ name: 'a', ...http }] } }, 30), undefined);
    const byExit = podFacts(
      observed(
        'x',
        [
          [1000, 'terminating'],
          [4000, 'exited', 'code 0'],
        ],
        http,
      ),
      ORIGIN,
      'old',
    );
    assert.equal(byExit.stoppedAt, 4000);
    assert.ok(!byExit.events.some((e) => e.state === 'stop-signal'));
  });

  test('the endpoint removed after the deletion, and the kill at the end of the grace period', () => {
    const facts = podFacts(
      observed(
        'old-1',
        [
          [0, 'ready'],
          [1000, 'terminating'],
          [31000, 'killed', 'signal SIGKILL'],
        ],
        {},
        [
          [0, true],
          [31100, false],
        ],
      ),
      ORIGIN,
      'old',
    );
    assert.equal(facts.killedAt, 31000);
    assert.equal(facts.endpointRemovedAt, 31100);
  });
});

const failure = (startMs: number, kind: FailedRequest['kind'], connection?: 'new' | 'reused'): FailedRequest => ({
  startMs,
  endMs: startMs + 5,
  kind,
  ...(connection ? { connection } : {}),
});

describe('inferring the pod of a failure', () => {
  const pods: PodFacts[] = [
    podFacts(
      observed(
        'old-1',
        [
          [0, 'ready'],
          [1000, 'terminating'],
          [1010, 'exited', 'signal SIGTERM'],
        ],
        probe,
        [
          [0, true],
          [1050, false],
        ],
        1050,
      ),
      ORIGIN,
      'old',
    ),
    podFacts(
      observed(
        'old-2',
        [
          [0, 'ready'],
          [5000, 'terminating'],
          [5010, 'exited', 'signal SIGTERM'],
        ],
        probe,
        [
          [0, true],
          [5050, false],
        ],
        5050,
      ),
      ORIGIN,
      'old',
    ),
    // No readiness probe: Ready when its process started, whether it listened or not.
    podFacts(observed('new-1', [[8000, 'ready']], {}, [[8000, true]]), ORIGIN, 'new'),
  ];
  const routing = [
    { atMs: 0, pods: ['old-1', 'old-2'] },
    { atMs: 1050, pods: ['old-2'] },
    { atMs: 5050, pods: [] },
    { atMs: 8000, pods: ['new-1'] },
  ];

  test('the pod that stopped last before the failure, while a consumer may still route to it', () => {
    assert.deepEqual(inferPod(failure(1020, 'reset'), pods, routing), { pod: 'old-1' });
    assert.deepEqual(inferPod(failure(5020, 'reset'), pods, routing), { pod: 'old-2' });
    // Long after old-1 was gone, and before old-2 stopped: nothing on the timeline explains it.
    assert.deepEqual(inferPod(failure(4000, 'reset'), pods, routing), {});
  });

  test('nothing routable for the whole propagation allowance: no pod (capacity)', () => {
    assert.deepEqual(inferPod(failure(5050 + PROPAGATION_ALLOWANCE_MS + 100, 'refused'), pods, routing), {});
  });

  test('a probe-less pod that just turned Ready: not ready yet', () => {
    assert.deepEqual(inferPod(failure(8100, 'refused'), pods, routing), { pod: 'new-1', notReady: true });
    assert.deepEqual(inferPod(failure(20000, 'refused'), pods, routing), {});
  });

  test('attributeRun names the causes with rehearse’s vocabulary and explains each failure', () => {
    const run = attributeRun(
      [failure(1005, 'reset', 'reused'), failure(1020, 'reset', 'new'), failure(8100, 'refused', 'new')],
      pods,
      routing,
    );
    assert.deepEqual(run.attribution.causes, ['no-drain', 'prestop', 'not-ready']);
    assert.deepEqual(
      run.failures.map((f) => f.pod),
      ['old-1', 'old-1', 'new-1'],
    );
    assert.match(
      run.explanations[1] ?? '',
      /^reset on a new connection 0\.02 s after pod old-1 was deleted, 0\.03 s before its endpoint was removed: the pod stopped serving before the load balancer stopped sending it new requests → prestop \(prestop-missing/,
    );
    assert.match(run.explanations[0] ?? '', /on a kept-alive connection .* → no-drain$/);
    assert.match(
      run.explanations[2] ?? '',
      /^refused on a new connection 0\.10 s after pod new-1 turned Ready \(it has no readiness probe\): .* → not-ready \(readiness-probe-missing/,
    );
    const records = new Map(run.records.map((r) => [r.name, r]));
    assert.deepEqual(records.get('old-1')?.requests, { ok: 0, failed: 2 });
    assert.equal(records.get('old-1')?.signal, 'SIGTERM');
    assert.equal(records.get('old-1')?.revision, 'old');
  });

  test("with the consumer's own routing (no allowance), nothing routable is capacity at once", () => {
    // An external load balancer run in this process: nothing healthy from 5050 until the new pod at 8000.
    const at = 5060;
    assert.deepEqual(inferPod(failure(at, 'http5xx'), pods, routing, 0), {});
    assert.deepEqual(inferPod(failure(at, 'http5xx'), pods, routing), { pod: 'old-2' });
    const run = attributeRun([failure(at, 'http5xx')], pods, routing, 0);
    assert.deepEqual(run.attribution.causes, ['capacity']);
    assert.equal(run.failures[0]?.pod, undefined);
  });

  test('explainFailure without a pod, and for a SIGKILL', () => {
    assert.match(
      explainFailure(failure(1, 'refused'), 'capacity', undefined),
      /^refused, with no ready endpoint to route to: .* → capacity \(rollout-max-unavailable/,
    );
    const killed = podFacts(
      observed('old-3', [
        [0, 'ready'],
        [1000, 'terminating'],
        [31000, 'killed', 'signal SIGKILL'],
      ]),
      ORIGIN,
      'old',
    );
    assert.match(
      explainFailure(failure(30990, 'reset', 'reused'), 'sigkill', killed),
      /in flight when pod old-3 was SIGKILLed, 30\.00 s after its deletion/,
    );
  });
});
