import { FAILURE_KINDS, type FailureKind, type Phase, type RehearsalResult, toolOf } from '../result.js';
import { evictionLines, lintedAt } from '../summary.js';
import { verdictOf } from '../verdict.js';
import { FAILURE_COLOR, podLane, renderTimelineSvg, STATE_STYLE } from './chart.js';
import { escapeHtml, formatCommand, formatCount, formatDuration, formatPercent } from './format.js';

const KIND_MEANING: Record<FailureKind, string> = {
  http5xx: 'the app or a proxy answered 5xx',
  reset: 'connection reset before a full response',
  refused: 'connection refused, or no endpoint to route to',
  timeout: 'no response within the client timeout',
  killed: 'the replica was SIGKILLed mid-request',
};

const PHASES: readonly Phase[] = ['warmup', 'rollout', 'settle'];
/** Failures listed in the table; the chart and counters cover all of them. */
const FAILURE_ROWS = 200;

interface VerdictCard {
  tone: 'pass' | 'fail' | 'warn' | 'empty';
  title: string;
  text: string;
}

function verdict(result: RehearsalResult): VerdictCard {
  const { total, failed } = result.requests;
  const v = verdictOf(result);
  const rollout = result.rollout.completed ? '' : ' The rollout did not complete.';
  switch (v.status) {
    case 'error':
      return {
        tone: 'fail',
        title: toolOf(result) === 'verify' ? 'The rollout could not be verified' : 'The rehearsal could not run',
        text: result.outcome?.message ?? 'no reason was recorded',
      };
    case 'aborted':
      return {
        tone: 'empty',
        title: 'Interrupted',
        text: `The ${toolOf(result) === 'verify' ? 'run' : 'rehearsal'} was stopped before the end; the numbers below are partial (${formatCount(failed)} of ${formatCount(total)} requests failed so far).`,
      };
    case 'no-measure':
      return {
        tone: 'empty',
        title: 'No requests: could not measure',
        text: 'The load generator sent nothing, so this run proves nothing.',
      };
    case 'failed':
      return {
        tone: 'fail',
        title: `${formatCount(failed)} dropped request${failed === 1 ? '' : 's'}`,
        text: `${formatCount(failed)} of ${formatCount(total)} requests failed (${formatPercent(failed, total)}).${rollout}`,
      };
    case 'unclean':
      return {
        tone: 'warn',
        title: `Zero dropped requests, but ${v.unclean.length} pod${v.unclean.length === 1 ? '' : 's'} did not exit cleanly`,
        text: `All ${formatCount(total)} requests succeeded; ${v.unclean.map((u) => `${u.pod} ${u.how}`).join('; ')}.${rollout}`,
      };
    case 'pass':
      return {
        tone: result.rollout.completed ? 'pass' : 'fail',
        title: 'Zero dropped requests',
        text: `All ${formatCount(total)} requests succeeded during the rolling update.${rollout}`,
      };
  }
}

/** A rule id linked to its page, with where lint found it in the rehearsed manifest. */
function ruleLink(result: RehearsalResult, rule: { id: string; url: string }): string {
  const at = lintedAt(result, rule.id);
  return (
    `<a href="${escapeHtml(rule.url)}"><code>${escapeHtml(rule.id)}</code></a>` +
    (at ? ` <span class="lint-hit">lint flags it at ${escapeHtml(at)}</span>` : '')
  );
}

/** Why requests failed: each cause on the timeline, what to change, the rules that catch it. */
function whySection(result: RehearsalResult): string {
  const groups = result.attribution?.groups ?? [];
  if (groups.length === 0) return '';
  const items = groups.map((g) => {
    const rules = g.rules.map((r) => ruleLink(result, r)).join(', ');
    const docs = g.docs ? `<a href="${escapeHtml(g.docs.url)}">${escapeHtml(g.docs.title)}</a>` : '';
    return (
      `<li class="cause cause-${escapeHtml(g.cause)}"><div class="cause-head"><code>${escapeHtml(g.cause)}</code> ` +
      `<span class="num bad-text">${formatCount(g.count)}</span> ${escapeHtml(g.explanation)}</div>` +
      `<div><strong>Fix:</strong> ${escapeHtml(g.fix)}</div>` +
      (rules || docs
        ? `<div class="muted">${rules ? `Rules: ${rules}` : ''}${rules && docs ? ' · ' : ''}${docs}</div>`
        : '') +
      '</li>'
    );
  });
  return `<section class="card" id="why"><h2>Why they failed</h2><ul class="causes">${items.join('')}</ul></section>`;
}

/** A rehearsal that stopped early: the cause and the app's own words, in full view. */
function diagnosisSection(result: RehearsalResult): string {
  const d = result.outcome?.diagnosis;
  if (result.outcome?.status !== 'error' || !d) return '';
  const output = d.output?.length
    ? `<p class="muted">Last output of ${escapeHtml(d.pod ?? 'the replica')}:</p><pre class="output">${d.output.map(escapeHtml).join('\n')}</pre>`
    : '';
  return `<section class="card" id="diagnosis"><h2>Cause</h2><p>${escapeHtml(d.message)}</p>${output}</section>`;
}

/** What `zerodrop lint` says about the rehearsed manifest. */
function lintSection(result: RehearsalResult): string {
  if (!result.lint) return '';
  const { file, findings } = result.lint;
  if (findings.length === 0) {
    return `<section class="card" id="lint"><h2>zerodrop lint</h2><p class="muted"><code>${escapeHtml(file)}</code>: no problems.</p></section>`;
  }
  const rows = findings.map((f) =>
    row([
      `<span class="num">${f.line > 0 ? `${f.line}:${f.column}` : '–'}</span>`,
      `<span class="sev sev-${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span>`,
      `<a href="${escapeHtml(f.url)}"><code>${escapeHtml(f.rule)}</code></a>`,
      escapeHtml(f.message),
    ]),
  );
  return (
    `<section class="card" id="lint"><h2>zerodrop lint</h2><p class="muted">${result.verify ? 'The objects as the cluster has them' : 'The manifest this rehearsal used'}, <code>${escapeHtml(file)}</code>:</p>` +
    `<table class="lint-list">${row(['line', 'severity', 'rule', 'message'], true)}${rows.join('')}</table></section>`
  );
}

/** The last output of pods that ended badly. */
function podOutput(result: RehearsalResult): string {
  const pods = result.pods.filter((p) => p.output?.length);
  if (pods.length === 0) return '';
  return pods
    .map(
      (p) =>
        `<p class="muted">Last output of ${escapeHtml(p.name)}:</p><pre class="output">${(p.output ?? []).map(escapeHtml).join('\n')}</pre>`,
    )
    .join('');
}

function row(cells: string[], header = false): string {
  const tag = header ? 'th' : 'td';
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

function stat(label: string, value: string, cls = ''): string {
  return `<div class="stat ${cls}"><div class="stat-value">${value}</div><div class="stat-label">${escapeHtml(label)}</div></div>`;
}

function failuresByKind(result: RehearsalResult): string {
  const rows = FAILURE_KINDS.map((kind) => {
    const n = result.requests.byKind[kind] ?? 0;
    return (
      `<tr class="${n > 0 ? 'bad' : 'zero'}"><td><code>${kind}</code></td><td class="num">${formatCount(n)}</td>` +
      `<td class="muted">${escapeHtml(KIND_MEANING[kind])}</td></tr>`
    );
  });
  return `<table class="kinds">${row(['kind', 'failed', 'meaning'], true)}${rows.join('')}</table>`;
}

function failuresByPhase(result: RehearsalResult): string {
  const rows = PHASES.map((phase) => {
    const p = result.requests.byPhase[phase] ?? { total: 0, failed: 0 };
    const span = result.rollout.phases.find((x) => x.name === phase);
    return (
      `<tr class="${p.failed > 0 ? 'bad' : 'zero'}"><td>${phase}</td><td class="num">${formatCount(p.total)}</td>` +
      `<td class="num">${formatCount(p.failed)}</td><td class="num">${formatPercent(p.failed, p.total)}</td>` +
      `<td class="muted">${span ? `${formatDuration(span.startMs)} – ${formatDuration(span.endMs)}` : '–'}</td></tr>`
    );
  });
  return `<table class="phases">${row(['phase', 'requests', 'failed', 'share', 'time'], true)}${rows.join('')}</table>`;
}

function settingsTable(result: RehearsalResult): string {
  const s = result.settings;
  const v = result.verify;
  if (v) {
    const plane = result.controlPlane;
    const rows: [string, string][] = [
      ...(plane
        ? ([
            ['command', `<code>${escapeHtml(formatCommand(s.command))}</code>`],
            [
              'manifest',
              s.manifest ? `<code>${escapeHtml(s.manifest)}</code>` : '<span class="muted">none (flags only)</span>',
            ],
            [
              'control plane',
              `Kubernetes ${escapeHtml(plane.version)}, ${escapeHtml(plane.nodes)} node(s), ${plane.temporary ? 'a local cluster started for the run' : `the local cluster in <code>${escapeHtml(plane.cluster)}</code>`}`,
            ],
            ['profile', escapeHtml(s.profile)],
          ] as [string, string][])
        : []),
      ['deployment', `<code>${escapeHtml(`${v.namespace}/${v.deployment}`)}</code>`],
      ['cluster', `${escapeHtml(v.context)} · <code>${escapeHtml(v.server)}</code>`],
      ['trigger', escapeHtml(v.trigger)],
      [
        'load',
        `${escapeHtml(s.rate)} req/s over ${escapeHtml(s.connections)} connections to <code>${escapeHtml(v.url)}</code>`,
      ],
      ['replicas', escapeHtml(s.replicas)],
      ['maxSurge / maxUnavailable', `${escapeHtml(s.maxSurge)} / ${escapeHtml(s.maxUnavailable)}`],
      ['preStop', escapeHtml(s.preStop)],
      ['terminationGracePeriodSeconds', escapeHtml(s.gracePeriodSeconds)],
      ['started', escapeHtml(result.startedAt)],
      ...(v.notes ?? []).map((note): [string, string] => ['note', escapeHtml(note)]),
    ];
    return `<table class="settings">${rows.map(([k, x]) => `<tr><th>${escapeHtml(k)}</th><td>${x}</td></tr>`).join('')}</table>`;
  }
  const rows: [string, string][] = [
    ['command', `<code>${escapeHtml(formatCommand(s.command))}</code>`],
    [
      'manifest',
      s.manifest ? `<code>${escapeHtml(s.manifest)}</code>` : '<span class="muted">none (flags only)</span>',
    ],
    ['load-balancer profile', escapeHtml(s.profile)],
    ['replicas', escapeHtml(s.replicas)],
    ['maxSurge / maxUnavailable', `${escapeHtml(s.maxSurge)} / ${escapeHtml(s.maxUnavailable)}`],
    ['preStop', escapeHtml(s.preStop)],
    ['terminationGracePeriodSeconds', escapeHtml(s.gracePeriodSeconds)],
    ['load', `${escapeHtml(s.rate)} req/s over ${escapeHtml(s.connections)} connections`],
    ['speed', `×${escapeHtml(s.speed)} (Kubernetes durations divided by ${escapeHtml(s.speed)})`],
    ['replicas ran in', result.isolation ? escapeHtml(result.isolation) : '<span class="muted">not recorded</span>'],
    ['started', escapeHtml(result.startedAt)],
  ];
  return `<table class="settings">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function podsTable(result: RehearsalResult): string {
  if (result.pods.length === 0) return '<p class="muted">No pods were recorded.</p>';
  const rows = result.pods.map((pod) => {
    // An exit ends the pod's story, whatever readiness change was recorded after it.
    const lane = podLane(pod, result.durationMs);
    const last = lane.end ?? lane.segments[lane.segments.length - 1] ?? pod.events[pod.events.length - 1];
    const ending = [
      pod.exitCode === undefined || pod.exitCode === null ? '' : `exit ${pod.exitCode}`,
      pod.signal ? escapeHtml(pod.signal) : '',
    ]
      .filter(Boolean)
      .join(', ');
    return row([
      escapeHtml(pod.name),
      `<span class="rev rev-${escapeHtml(pod.revision)}">${escapeHtml(pod.revision)}</span>`,
      escapeHtml(pod.port),
      pod.pid === undefined ? '–' : escapeHtml(pod.pid),
      last ? escapeHtml(STATE_STYLE[last.state]?.label ?? last.state) : '–',
      ending || '–',
      // A real cluster does not say which pod served a successful request.
      result.verify ? '<span class="muted">–</span>' : `<span class="num">${formatCount(pod.requests.ok)}</span>`,
      `<span class="num ${pod.requests.failed > 0 ? 'bad-text' : ''}">${formatCount(pod.requests.failed)}</span>`,
    ]);
  });
  return `<table class="pods">${row(['pod', 'revision', 'port', 'pid', 'last state', 'ended', 'ok', 'failed'], true)}${rows.join('')}</table>`;
}

function failuresTable(result: RehearsalResult): string {
  if (result.failures.length === 0) return '<p class="muted">No failed requests.</p>';
  const shown = [...result.failures].sort((a, b) => a.atMs - b.atMs).slice(0, FAILURE_ROWS);
  const rows = shown.map((f) =>
    row([
      `<span class="num">${formatDuration(f.atMs)}</span>`,
      f.pod === undefined ? '<span class="muted">–</span>' : escapeHtml(f.pod),
      `<code>${escapeHtml(f.kind)}</code>`,
      escapeHtml(f.phase),
      `<span class="detail">${escapeHtml(f.detail)}</span>`,
    ]),
  );
  const more = result.requests.failed - shown.length;
  const note =
    more > 0 ? `<p class="muted">${formatCount(more)} more failures are counted above but not listed.</p>` : '';
  return `<table class="failure-list">${row(['time', 'pod', 'kind', 'phase', 'detail'], true)}${rows.join('')}</table>${note}`;
}

/** A drain's evictions: accepted, and refused by a PodDisruptionBudget (429), with the API's reasons. */
function evictionsSection(result: RehearsalResult): string {
  const evictions = result.verify?.evictions ?? [];
  if (evictions.length === 0) return '';
  const rows = evictions.map((e) =>
    row([
      `<span class="num">${formatDuration(e.atMs)}</span>`,
      escapeHtml(e.pod),
      `<span class="${e.status === 201 ? '' : 'bad-text'}">${escapeHtml(e.status)}</span>`,
      escapeHtml(e.message),
    ]),
  );
  const head = evictionLines(result)[0]?.trim() ?? '';
  return (
    `<section class="card" id="evictions"><h2>Evictions</h2><p class="muted">${escapeHtml(head)}</p>` +
    `<table class="eviction-list">${row(['time', 'pod', 'answer', 'message'], true)}${rows.join('')}</table></section>`
  );
}

function eventsList(result: RehearsalResult): string {
  const events = result.events ?? [];
  if (events.length === 0) return '';
  const rows = events.map(
    (e) => `<tr><td class="num">${formatDuration(e.atMs)}</td><td>${escapeHtml(e.what)}</td></tr>`,
  );
  return (
    `<section class="card" id="events"><details><summary><h2>Events (${formatCount(events.length)})</h2></summary>` +
    `<p class="muted">Controller decisions, pod states and consumer changes, in order.</p>` +
    `<table class="event-list">${row(['time', 'event'], true)}${rows.join('')}</table></details></section>`
  );
}

function legend(): string {
  const items = Object.entries(STATE_STYLE).map(
    ([state, style]) =>
      `<span class="key"><span class="swatch${state === 'exited' || state === 'killed' ? ' thin' : ''}" ` +
      `style="background:${style.color}"></span>${escapeHtml(style.label)}</span>`,
  );
  items.push(
    `<span class="key"><span class="swatch" style="background:#64748b"></span>ok requests</span>`,
    `<span class="key"><span class="swatch" style="background:${FAILURE_COLOR}"></span>failed requests / failure on a pod (▼)</span>`,
  );
  return `<div class="legend">${items.join('')}</div>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --bad: ${FAILURE_COLOR}; --good: #15803d; --warn: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #f1f5f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 0 0 10px; }
.sub { color: var(--muted); margin: 0 0 18px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin-bottom: 16px; }
.verdict { display: flex; gap: 16px; align-items: center; border-left: 6px solid; }
.verdict.pass { border-left-color: var(--good); }
.verdict.fail { border-left-color: var(--bad); }
.verdict.warn { border-left-color: var(--warn); }
.verdict.warn .title { color: var(--warn); }
.verdict.empty { border-left-color: var(--muted); }
.verdict .title { font-size: 24px; font-weight: 700; }
.verdict.pass .title { color: var(--good); }
.verdict.fail .title { color: var(--bad); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px; margin-bottom: 16px; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.stat-value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.stat-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.stat.bad .stat-value { color: var(--bad); }
.stat.good .stat-value { color: var(--good); }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: #334155; }
.settings th { width: 240px; }
td.num, .num { text-align: right; font-variant-numeric: tabular-nums; }
tr.bad td.num { color: var(--bad); font-weight: 600; }
tr.zero td { color: var(--muted); }
.bad-text { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f5f9; padding: 1px 4px; border-radius: 4px; word-break: break-all; }
.detail { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-word; }
.rev { font-size: 11px; font-weight: 600; padding: 0 5px; border-radius: 4px; }
span.rev-old { background: #e2e8f0; color: #334155; }
span.rev-new { background: #dbeafe; color: #1d4ed8; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 4px 0 10px; color: #334155; font-size: 12.5px; }
.key { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
.swatch.thin { width: 4px; height: 14px; }
svg.timeline { display: block; font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .grid { stroke: #e2e8f0; stroke-width: 1; }
svg .axis-line { stroke: #94a3b8; stroke-width: 1; }
svg .axis text { fill: #475569; }
svg .axis-title { fill: #64748b; font-size: 11px; }
svg .phase-label { fill: #64748b; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; }
svg .lane-bg { fill: #ffffff; stroke: #e2e8f0; }
svg .lane-label { fill: #0f172a; }
svg tspan.rev { font-size: 10px; font-weight: 700; }
svg tspan.rev-old { fill: #64748b; }
svg tspan.rev-new { fill: #2563eb; }
svg .section-label { fill: #0f172a; font-weight: 600; }
svg .section-sub, svg .scale { fill: #64748b; font-size: 11px; }
svg .fail-text { fill: ${FAILURE_COLOR}; }
svg .none { fill: var(--good); }
svg .empty { fill: #64748b; }
svg [data-tip]:hover { opacity: .8; }
#tip { position: fixed; pointer-events: none; background: #0f172a; color: #f8fafc; padding: 6px 9px; border-radius: 6px; font-size: 12px; max-width: 440px; white-space: pre-wrap; display: none; z-index: 10; box-shadow: 0 4px 14px rgba(0,0,0,.2); }
summary { cursor: pointer; }
summary h2 { display: inline; }
.event-list td.num { width: 90px; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
ul.causes { list-style: none; margin: 0; padding: 0; }
li.cause { padding: 8px 0; border-bottom: 1px solid var(--line); }
li.cause:last-child { border-bottom: 0; }
.cause-head { font-weight: 600; }
.lint-hit { color: var(--warn); font-size: 12.5px; }
pre.output { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #0f172a; color: #e2e8f0; padding: 10px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
.sev-error { color: var(--bad); font-weight: 600; }
.sev-warning { color: var(--warn); font-weight: 600; }
a { color: #1d4ed8; }
`;

// Shows the data-tip text of whatever the pointer is over; text only (textContent), never parsed as HTML.
const SCRIPT = `
(function () {
  var tip = document.getElementById('tip');
  document.addEventListener('mousemove', function (e) {
    var el = e.target && e.target.closest ? e.target.closest('[data-tip]') : null;
    if (!el) { tip.style.display = 'none'; return; }
    tip.textContent = el.getAttribute('data-tip');
    tip.style.display = 'block';
    var x = e.clientX + 14, y = e.clientY + 14;
    var r = tip.getBoundingClientRect();
    if (x + r.width > window.innerWidth - 8) x = e.clientX - r.width - 14;
    if (y + r.height > window.innerHeight - 8) y = e.clientY - r.height - 14;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });
  document.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
  document.body.setAttribute('data-ready', '1');
})();
`;

/**
 * The rehearsal as one self-contained HTML page: verdict, counters, the pods/requests timeline, failures by kind and
 * phase, settings and the first failures. No external resource is referenced (the CSP forbids any), so the file can
 * be attached to a ticket or a CI run and opened anywhere.
 */
export function renderHtmlReport(result: RehearsalResult): string {
  const v = verdict(result);
  const r = result.requests;
  const verified = result.verify;
  const plane = result.controlPlane;
  const heading = plane ? 'zerodrop rehearsal on Kubernetes' : verified ? 'zerodrop verify' : 'zerodrop rehearsal';
  const title = `${heading} — ${v.title}`;
  const sub = plane
    ? `<code>${escapeHtml(formatCommand(result.settings.command))}</code> · ${escapeHtml(result.settings.replicas)} replicas · profile ${escapeHtml(result.settings.profile)} · the real control plane, Kubernetes ${escapeHtml(plane.version)}${verified?.trigger.startsWith('drain:') ? ` · ${escapeHtml(verified.trigger)}` : ''} · ${escapeHtml(result.startedAt)}`
    : verified
      ? `<code>${escapeHtml(`${verified.namespace}/${verified.deployment}`)}</code> · ${escapeHtml(verified.context)} · trigger ${escapeHtml(verified.trigger)} · <code>${escapeHtml(verified.url)}</code> · ${escapeHtml(result.startedAt)}`
      : `<code>${escapeHtml(formatCommand(result.settings.command))}</code> · ${escapeHtml(result.settings.replicas)} replicas · profile ${escapeHtml(result.settings.profile)} · ${escapeHtml(result.startedAt)}`;
  const stats = [
    stat('requests', formatCount(r.total)),
    stat('failed', formatCount(r.failed), r.failed > 0 ? 'bad' : r.total > 0 ? 'good' : ''),
    stat('failed share', formatPercent(r.failed, r.total), r.failed > 0 ? 'bad' : ''),
    stat('latency p50', formatDuration(r.latencyMs.p50)),
    stat('latency p99', formatDuration(r.latencyMs.p99)),
    stat('latency max', formatDuration(r.latencyMs.max)),
    stat('rollout', `${formatDuration(result.rollout.durationMs)}${result.rollout.completed ? '' : ' ✗'}`),
    stat('run', formatDuration(result.durationMs)),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${heading}</h1>
<p class="sub">${sub}</p>
<section class="card verdict ${v.tone}" id="verdict">
<div><div class="title">${escapeHtml(v.title)}</div><div>${escapeHtml(v.text)}</div></div>
</section>
${diagnosisSection(result)}
<section class="stats" id="stats">${stats.join('')}</section>
${whySection(result)}
<section class="card" id="timeline">
<h2>Timeline</h2>
${legend()}
${renderTimelineSvg(result)}
</section>
<div class="grid2">
<section class="card" id="by-kind"><h2>Failures by kind</h2>${failuresByKind(result)}</section>
<section class="card" id="by-phase"><h2>Requests by phase</h2>${failuresByPhase(result)}</section>
</div>
<section class="card" id="pods"><h2>Pods</h2>${podsTable(result)}${podOutput(result)}</section>
${evictionsSection(result)}
${lintSection(result)}
<section class="card" id="failures"><h2>Failed requests</h2>${failuresTable(result)}</section>
<section class="card" id="settings"><h2>Settings</h2>${settingsTable(result)}</section>
${eventsList(result)}
<footer>Generated by zerodrop ${toolOf(result)} · result format v${escapeHtml(result.version)}</footer>
</main>
<div id="tip" role="tooltip"></div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
