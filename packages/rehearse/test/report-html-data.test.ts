import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { podLane } from '../src/report/chart.js';
import { escapeHtml, formatCommand, formatDuration, formatPercent } from '../src/report/format.js';
import { renderHtmlReport } from '../src/report/html.js';
import type { RehearsalResult } from '../src/result.js';
import { rolloutWithFailures, rolloutWithoutFailures } from './fixtures/report-result.js';

function emptyResult(): RehearsalResult {
  return {
    version: 1,
    startedAt: '2026-11-24T21:00:00.000Z',
    durationMs: 0,
    settings: {
      command: ['node', 'server.js'],
      profile: 'kube-proxy',
      replicas: 2,
      rate: 100,
      connections: 4,
      speed: 1,
      maxSurge: 1,
      maxUnavailable: 0,
      preStop: 'none',
      gracePeriodSeconds: 30,
    },
    requests: {
      total: 0,
      ok: 0,
      failed: 0,
      byKind: { http5xx: 0, reset: 0, refused: 0, timeout: 0, killed: 0 },
      byPhase: { warmup: { total: 0, failed: 0 }, rollout: { total: 0, failed: 0 }, settle: { total: 0, failed: 0 } },
      latencyMs: { p50: 0, p99: 0, max: 0 },
    },
    rollout: { durationMs: 0, completed: false, phases: [] },
    pods: [],
    timeline: { bucketMs: 250, buckets: [] },
    failures: [],
  };
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('renderHtmlReport', () => {
  test('escapes every string that comes from the result', () => {
    const result = rolloutWithFailures();
    const evil = '<script>alert("x")</script>';
    result.settings.command = ['node', `--title=${evil}`, "it's"];
    result.settings.manifest = `k8s/${evil}.yaml`;
    result.settings.profile = evil;
    result.settings.preStop = evil;
    result.pods[0]!.name = `pod-"${evil}`;
    result.pods[0]!.events[1]!.detail = evil;
    result.failures[0]!.pod = result.pods[0]!.name;
    result.failures[0]!.detail = `"><img src=x onerror=alert(1)> ${evil}`;
    const html = renderHtmlReport(result);
    // The page's own script is the only one.
    assert.equal(count(html, '<script'), 1);
    assert.equal(count(html, '<img'), 0);
    assert.ok(!html.includes('alert("x")</script>'));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('data-pod="pod-&quot;&lt;script&gt;'));
    assert.ok(html.includes(`'it'\\''s'`.replace(/'/g, '&#39;')));
  });

  test('references nothing outside the file', () => {
    const html = renderHtmlReport(rolloutWithFailures());
    // The SVG namespace is an identifier, not a fetch.
    const urls = (html.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'<)]*/gi) ?? []).filter(
      (u) => u !== 'http://www.w3.org/2000/svg',
    );
    assert.deepEqual(urls, []);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.ok(!/<link\b|<iframe\b|\bsrc=/i.test(html));
  });

  test('an empty result renders a page that says it proves nothing', () => {
    const html = renderHtmlReport(emptyResult());
    assert.match(html, /No requests/);
    assert.match(html, /proves nothing/);
    assert.match(html, /no pods recorded/);
    assert.ok(!html.includes('NaN'));
    assert.ok(!html.includes('Infinity'));
    assert.ok(!html.includes('undefined'));
  });

  test('a run with zero failures is a pass with no failure marks', () => {
    const result = rolloutWithoutFailures();
    const html = renderHtmlReport(result);
    assert.match(html, /class="card verdict pass"/);
    assert.match(html, /Zero dropped requests/);
    assert.match(html, /no failed requests/);
    assert.equal(count(html, 'class="fail-bar"'), 0);
    assert.equal(count(html, 'class="fail-mark"'), 0);
    assert.equal(count(html, 'class="bucket"'), result.timeline.buckets.length);
    assert.equal(count(html, 'class="lane"'), result.pods.length);
    assert.ok(!html.includes('NaN'));
  });

  test('a run with failures shows the counts by kind and phase', () => {
    const result = rolloutWithFailures();
    const html = renderHtmlReport(result);
    assert.match(html, /class="card verdict fail"/);
    assert.match(html, /16 dropped requests/);
    assert.equal(result.requests.byKind.refused, 5);
    assert.match(html, /<td><code>refused<\/code><\/td><td class="num">5<\/td>/);
    assert.match(html, /<td><code>killed<\/code><\/td><td class="num">1<\/td>/);
    assert.match(html, /<td>rollout<\/td><td class="num">[\d,]+<\/td><td class="num">16<\/td>/);
    assert.equal(count(html, 'class="fail-mark"'), 15);
  });

  test('a rehearsal that could not run says why, and is not a pass', () => {
    const result = emptyResult();
    result.outcome = { status: 'error', message: 'the app never became ready: <old-1> exited 1' };
    const html = renderHtmlReport(result);
    assert.match(html, /class="card verdict fail"/);
    assert.match(html, /could not run/);
    assert.match(html, /the app never became ready: &lt;old-1&gt; exited 1/);
  });

  test('a rehearsal stopped by a diagnosis shows the cause and the app’s output in full view', () => {
    const result = emptyResult();
    result.outcome = {
      status: 'error',
      message: 'replica old-2 exited (code 1) before it became ready: EADDRINUSE :3000 — ...',
      diagnosis: {
        code: 'exited',
        pod: 'old-2',
        message: 'replica old-2 exited (code 1) before it became ready: EADDRINUSE :3000 — make it listen on <PORT>',
        output: ['Error: listen EADDRINUSE: address already in use :::3000'],
      },
    };
    const html = renderHtmlReport(result);
    const cause = html.slice(html.indexOf('id="diagnosis"'));
    assert.ok(html.indexOf('id="diagnosis"') < html.indexOf('id="timeline"'), 'above the chart, not in a list');
    assert.match(cause, /make it listen on &lt;PORT&gt;/);
    assert.match(cause, /<pre class="output">Error: listen EADDRINUSE: address already in use :::3000<\/pre>/);
  });

  test('failures attributed to the timeline: the cause, the fix, and the rule pages (marked where lint found them)', () => {
    const result = rolloutWithFailures();
    result.attribution = {
      groups: [
        {
          cause: 'prestop',
          count: 15,
          byKind: { reset: 15 },
          pods: ['old-1'],
          firstMs: 1000,
          lastMs: 1200,
          explanation:
            '15 requests on old-1: the pod stopped serving before kube-proxy stopped sending it new requests',
          fix: 'add a preStop hook',
          rules: [{ id: 'prestop-missing', url: 'https://example.test/prestop-missing.md' }],
        },
      ],
    };
    result.lint = {
      file: 'k8s/deploy.yaml',
      findings: [
        {
          rule: 'prestop-missing',
          severity: 'error',
          message: 'no preStop hook',
          line: 21,
          column: 11,
          url: 'https://example.test/prestop-missing.md',
        },
      ],
    };
    const html = renderHtmlReport(result);
    const why = html.slice(html.indexOf('id="why"'), html.indexOf('id="timeline"'));
    assert.match(why, /<code>prestop<\/code> <span class="num bad-text">15<\/span> 15 requests on old-1/);
    assert.match(why, /<strong>Fix:<\/strong> add a preStop hook/);
    assert.match(
      why,
      /<a href="https:\/\/example\.test\/prestop-missing\.md"><code>prestop-missing<\/code><\/a> <span class="lint-hit">lint flags it at k8s\/deploy\.yaml:21<\/span>/,
    );
    assert.match(html, /id="lint".*<td><span class="num">21:11<\/span><\/td>/s);
  });

  test('zero dropped but a pod exited 1 after the stop signal: a warning, not a pass', () => {
    const result = rolloutWithoutFailures();
    const pod = result.pods.find((p) => p.events.some((e) => e.state === 'stop-signal'));
    assert.ok(pod);
    const exited = pod.events.find((e) => e.state === 'exited');
    if (exited) exited.detail = 'code 1';
    else pod.events.push({ atMs: result.durationMs - 10, state: 'exited', detail: 'code 1' });
    const html = renderHtmlReport(result);
    assert.match(html, /class="card verdict warn"/);
    assert.match(html, /Zero dropped requests, but 1 pod did not exit cleanly/);
    assert.match(html, /exited with code 1 after the stop signal/);
  });

  test('an interrupted rehearsal says its numbers are partial', () => {
    const result = rolloutWithoutFailures();
    result.outcome = { status: 'aborted' };
    const html = renderHtmlReport(result);
    assert.match(html, /class="card verdict empty"/);
    assert.match(html, /partial/);
    assert.doesNotMatch(html, /Zero dropped requests/);
  });

  test('events are listed in order and escaped', () => {
    const result = rolloutWithFailures();
    result.events = [
      { atMs: 10, what: 'old-1: created on port 41001' },
      { atMs: 2500, what: 'kube-proxy routes to: <old-1>, old-2' },
    ];
    const html = renderHtmlReport(result);
    assert.match(html, /Events \(2\)/);
    assert.ok(html.indexOf('created on port 41001') < html.indexOf('kube-proxy routes to: &lt;old-1&gt;, old-2'));
    assert.equal(renderHtmlReport(emptyResult()).includes('id="events"'), false);
  });

  test('failures are listed by time and an exited pod stays exited', () => {
    const result = rolloutWithFailures();
    result.failures.reverse();
    const pod = result.pods[0]!;
    pod.events.push({ atMs: pod.events[pod.events.length - 1]!.atMs + 5, state: 'not-ready' });
    const html = renderHtmlReport(result);
    const times = [...html.matchAll(/<tr><td><span class="num">([\d.]+) s<\/span><\/td>/g)].map((m) => Number(m[1]));
    assert.equal(times.length, result.failures.length);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.match(html, new RegExp(`<tr><td>${pod.name}</td>.*?<td>exited</td>`));
  });

  test('zero failures but an unfinished rollout is not a pass', () => {
    const result = rolloutWithoutFailures();
    result.rollout.completed = false;
    const html = renderHtmlReport(result);
    assert.match(html, /class="card verdict fail"/);
    assert.match(html, /did not complete/);
  });
});

describe('report helpers', () => {
  test('podLane cuts events into segments and ends at exit', () => {
    const lane = podLane(
      {
        name: 'p',
        revision: 'old',
        port: 1,
        events: [
          { atMs: 500, state: 'ready' },
          { atMs: 0, state: 'started' },
          { atMs: 900, state: 'terminating' },
          { atMs: 1200, state: 'exited' },
        ],
        requests: { ok: 0, failed: 0 },
      },
      5000,
    );
    assert.deepEqual(
      lane.segments.map((s) => [s.state, s.startMs, s.endMs]),
      [
        ['started', 0, 500],
        ['ready', 500, 900],
        ['terminating', 900, 1200],
      ],
    );
    assert.deepEqual(lane.end, { atMs: 1200, state: 'exited', detail: undefined });
  });

  test('a pod restarted after an exit: its lane goes on, with a mark at each exit', () => {
    const lane = podLane(
      {
        name: 'p',
        revision: 'old',
        port: 1,
        events: [
          { atMs: 0, state: 'started' },
          { atMs: 500, state: 'exited', detail: 'code 1' },
          { atMs: 505, state: 'not-ready' },
          { atMs: 900, state: 'started' },
          { atMs: 1300, state: 'ready' },
        ],
        requests: { ok: 0, failed: 0 },
      },
      5000,
    );
    assert.deepEqual(
      lane.segments.map((s) => [s.state, s.startMs, s.endMs]),
      [
        ['started', 0, 500],
        ['exited', 500, 900],
        ['started', 900, 1300],
        ['ready', 1300, 5000],
      ],
    );
    assert.deepEqual(lane.exits, [{ atMs: 500, state: 'exited', detail: 'code 1' }]);
    assert.equal(lane.end, undefined);
  });

  test('a pod still running at the end stretches to the end of the run', () => {
    const lane = podLane(
      { name: 'p', revision: 'new', port: 1, events: [{ atMs: 100, state: 'ready' }], requests: { ok: 0, failed: 0 } },
      3000,
    );
    assert.deepEqual(lane.segments, [{ state: 'ready', startMs: 100, endMs: 3000, detail: undefined }]);
    assert.equal(lane.end, undefined);
  });

  test('formatting', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(1234), '1.23 s');
    assert.equal(formatDuration(125_000), '2 min 5 s');
    assert.equal(formatPercent(1, 1_000_000), '0.00010 %');
    assert.equal(formatPercent(0, 0), '0 %');
    assert.equal(formatPercent(16, 4000), '0.40 %');
    assert.equal(formatCommand(['node', 'a b.js', "it's"]), `node 'a b.js' 'it'\\''s'`);
  });
});
