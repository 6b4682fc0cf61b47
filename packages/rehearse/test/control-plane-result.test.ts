/** A rehearsal on the real control plane is titled and described as a rehearsal, with the cluster it ran on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderHtmlReport } from '../src/report/html.js';
import { type RehearsalResult, toolOf } from '../src/result.js';
import { renderFailureToRun, renderSummary } from '../src/summary.js';
import { rolloutWithFailures } from './fixtures/report-result.js';

function onCluster(trigger = 'restart'): RehearsalResult {
  return {
    ...rolloutWithFailures(),
    verify: {
      context: 'zerodrop',
      server: 'https://127.0.0.1:40000',
      namespace: 'zerodrop-rehearse-1a2b3c',
      deployment: 'orders',
      url: 'http://127.0.0.1:31000/',
      trigger,
      ...(trigger.startsWith('drain:')
        ? { evictions: [{ atMs: 2000, pod: 'orders-old-7f9c-a', status: 201, message: '' }] }
        : {}),
    },
    controlPlane: { kind: 'kubernetes', version: 'v1.33.13', cluster: '/tmp/c', temporary: true, nodes: 2 },
  };
}

test('toolOf: verify without a control plane, rehearse with one', () => {
  const result = onCluster();
  assert.equal(toolOf(result), 'rehearse');
  const { controlPlane: _, ...verified } = result;
  assert.equal(toolOf(verified), 'verify');
  assert.equal(toolOf(rolloutWithFailures()), 'rehearse');
});

test('the summary names the real control plane, the cluster and a drain', () => {
  const summary = renderSummary(onCluster('drain:zerodrop-node-1'));
  assert.match(summary, /^zerodrop rehearse: \d+ of [\d,]+ requests FAILED/);
  assert.match(
    summary,
    /profile kube-proxy, .* on the real control plane \(Kubernetes v1\.33\.13, a cluster started for the run, 2 node\(s\)\), drain:zerodrop-node-1/,
  );
  assert.match(summary, /drain: 1 pod\(s\) evicted/);
  // An unclean exit counts, as in any rehearsal (verify only warns).
  assert.match(summary, /pods that did not exit cleanly \(exit status 1; --allow-unclean-exit accepts them\)/);
  const given = renderSummary({ ...onCluster(), controlPlane: { ...onCluster().controlPlane!, temporary: false } });
  assert.match(given, /the cluster in \/tmp\/c, 2 node\(s\)\)$/m);
  const failed = renderFailureToRun({ ...onCluster(), outcome: { status: 'error', message: 'no cluster' } });
  assert.equal(failed, 'zerodrop rehearse: COULD NOT RUN: no cluster');
});

test('the HTML report is titled a rehearsal on Kubernetes, with the command and the control plane', () => {
  const html = renderHtmlReport(onCluster());
  assert.match(html, /zerodrop rehearsal on Kubernetes/);
  assert.match(
    html,
    /<th>control plane<\/th><td>Kubernetes v1\.33\.13, 2 node\(s\), a local cluster started for the run<\/td>/,
  );
  assert.match(html, /<th>command<\/th>/);
  assert.doesNotMatch(html, /<h1>zerodrop verify<\/h1>/);
});
