import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeFailures, type FailedRequest, type PodTimeline } from '../src/attribution.js';

/** Three old pods and a new one on one clock (ms): what a kubelet records. */
const pods: PodTimeline[] = [
  {
    name: 'old-1',
    events: [
      { atMs: 0, state: 'created' },
      { atMs: 100, state: 'ready' },
      { atMs: 1000, state: 'terminating' },
      { atMs: 1000, state: 'stop-signal' },
      { atMs: 1010, state: 'exited' },
    ],
  },
  {
    name: 'old-2',
    events: [
      { atMs: 100, state: 'ready' },
      { atMs: 3000, state: 'terminating' },
      { atMs: 5000, state: 'prestop-done' },
      { atMs: 5000, state: 'stop-signal' },
      { atMs: 5100, state: 'exited' },
    ],
  },
  {
    name: 'old-3',
    events: [
      { atMs: 100, state: 'ready' },
      { atMs: 6000, state: 'terminating' },
      { atMs: 6000, state: 'stop-signal' },
      { atMs: 8000, state: 'killed' },
    ],
  },
  {
    name: 'new-1',
    events: [
      { atMs: 0, state: 'started' },
      { atMs: 200, state: 'ready' },
    ],
  },
];
/** kube-proxy learns of each deletion 500 ms late. */
const routing = [
  { atMs: 150, pods: ['old-1', 'old-2', 'old-3'] },
  { atMs: 1500, pods: ['old-2', 'old-3'] },
  { atMs: 3500, pods: ['old-3'] },
  { atMs: 3600, pods: [] },
  { atMs: 3700, pods: ['new-1'] },
];

const failure = (startMs: number, pod: string | undefined, kind: FailedRequest['kind'], endMs = startMs + 5) => ({
  startMs,
  endMs,
  kind,
  ...(pod ? { pod } : {}),
});

describe('attribution of failures to the timeline', () => {
  test('each cause from its place on the timeline', () => {
    const failures = [
      failure(1005, 'old-1', 'reset'), // stopped at once, kube-proxy still routes to it: preStop
      failure(1200, 'old-1', 'refused'), // the same, after the exit
      failure(5090, 'old-2', 'reset', 5100), // kube-proxy stopped routing at 3500: a kept-alive connection
      failure(7990, 'old-3', 'killed', 8000), // SIGKILLed mid-request
      failure(3650, undefined, 'refused'), // nothing to route to
      failure(50, 'new-1', 'reset'), // before it was ready
      failure(2000, 'old-2', 'http5xx'), // the app answered 503 while serving
    ];
    const { causes, groups } = attributeFailures({ failures, pods, routing, consumer: 'kube-proxy' });
    assert.deepEqual(causes, ['prestop', 'prestop', 'no-drain', 'sigkill', 'capacity', 'not-ready', 'other']);
    assert.deepEqual(
      groups.map((g) => [g.cause, g.count]),
      [
        ['prestop', 2],
        ['no-drain', 1],
        ['sigkill', 1],
        ['capacity', 1],
        ['not-ready', 1],
        ['other', 1],
      ],
    );
    const prestop = groups[0];
    assert.match(
      prestop?.explanation ?? '',
      /^2 requests on old-1 from 1\.00 s to 1\.20 s: the pod stopped serving before kube-proxy stopped sending/,
    );
    assert.deepEqual(prestop?.byKind, { reset: 1, refused: 1 });
    assert.ok(
      prestop?.rules.some((r) => r.id === 'prestop-missing' && r.url.endsWith('/docs/rules/prestop-missing.md')),
    );
    assert.match(groups[1]?.docs?.url ?? '', /^https:\/\/.*graceful\/README\.md$/);
  });

  test('a pod that was never routed to after it was deleted: its cut keep-alive requests are the drain’s', () => {
    const { causes } = attributeFailures({
      failures: [failure(1005, 'old-1', 'reset')],
      pods,
      routing: [
        { atMs: 150, pods: ['old-2', 'old-3'] },
        { atMs: 3700, pods: ['new-1'] },
      ],
      consumer: 'kube-proxy',
    });
    assert.deepEqual(causes, ['no-drain']);
  });

  test('a failed connection the engine knows: new on a stopped pod is the preStop’s, kept alive the drain’s', () => {
    const known = (startMs: number, connection: 'new' | 'reused') => ({
      ...failure(startMs, 'old-1', 'reset'),
      connection,
    });
    const { causes } = attributeFailures({
      // Before 1500 kube-proxy still routed to old-1, after it no longer did: the connection decides, not the routing.
      failures: [known(1005, 'reused'), known(1005, 'new'), known(2000, 'new'), known(2000, 'reused')],
      pods,
      routing,
      consumer: 'kube-proxy',
    });
    assert.deepEqual(causes, ['no-drain', 'prestop', 'prestop', 'no-drain']);
  });

  test('no failures: no groups', () => {
    assert.deepEqual(attributeFailures({ failures: [], pods, routing, consumer: 'kube-proxy' }).groups, []);
  });
});
