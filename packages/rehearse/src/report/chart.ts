import type { PodRecord, PodState, RehearsalResult } from '../result.js';
import { escapeHtml, formatCount, formatDuration } from './format.js';

/** How each pod state is drawn; `exited` and `killed` end a lane and are drawn as markers. */
export const STATE_STYLE: Record<PodState, { label: string; color: string }> = {
  created: { label: 'created', color: '#cbd5e1' },
  started: { label: 'starting', color: '#93c5fd' },
  ready: { label: 'ready', color: '#22c55e' },
  'not-ready': { label: 'not ready', color: '#facc15' },
  terminating: { label: 'terminating (preStop)', color: '#fb923c' },
  'prestop-done': { label: 'preStop done', color: '#f97316' },
  'stop-signal': { label: 'stop signal sent (draining)', color: '#a855f7' },
  exited: { label: 'exited', color: '#475569' },
  killed: { label: 'SIGKILLed', color: '#dc2626' },
};

export const FAILURE_COLOR = '#dc2626';
const OK_COLOR = '#64748b';
const END_STATES: ReadonlySet<PodState> = new Set(['exited', 'killed']);

export interface PodSegment {
  state: PodState;
  startMs: number;
  endMs: number;
  detail?: string;
}

export interface PodExit {
  atMs: number;
  state: 'exited' | 'killed';
  detail?: string;
}

export interface PodLane {
  pod: PodRecord;
  segments: PodSegment[];
  /** Every time its container ended (a restarted pod ends more than once). */
  exits: PodExit[];
  /** When the pod's last container ended and how, if it did and was not restarted. */
  end?: PodExit;
}

/**
 * A pod's events as consecutive state segments, up to the end of its process or of the run. A container that exits
 * and is started again (a crash, a liveness restart) leaves an `exited` segment until the restart, and the lane goes
 * on; readiness changes recorded between an exit and the restart are part of the exit.
 */
export function podLane(pod: PodRecord, runEndMs: number): PodLane {
  const events = [...pod.events].sort((a, b) => a.atMs - b.atMs);
  const lane: PodLane = { pod, segments: [], exits: [] };
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (END_STATES.has(event.state)) {
      const exit: PodExit = { atMs: event.atMs, state: event.state as 'exited' | 'killed', detail: event.detail };
      lane.exits.push(exit);
      const restart = events.findIndex((e, j) => j > i && e.state === 'started');
      if (restart === -1) {
        lane.end = exit;
        break;
      }
      const next = events[restart]!;
      lane.segments.push({ state: 'exited', startMs: event.atMs, endMs: next.atMs, detail: 'restarting' });
      i = restart - 1;
      continue;
    }
    const next = events[i + 1];
    const endMs = Math.max(event.atMs, next ? next.atMs : runEndMs);
    lane.segments.push({ state: event.state, startMs: event.atMs, endMs, detail: event.detail });
  }
  return lane;
}

/** A step of 1, 2 or 5 × 10^n that cuts `span` into at most `maxTicks` pieces. */
export function niceStep(span: number, maxTicks: number): number {
  if (span <= 0) return 1;
  const raw = span / maxTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

const WIDTH = 1100;
const LABEL_WIDTH = 200;
const RIGHT_PAD = 24;
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - RIGHT_PAD;
const TOP = 26;
const LANE_HEIGHT = 22;
const LANE_GAP = 6;
const RATE_HEIGHT = 120;
const FAIL_HEIGHT = 54;
const SECTION_GAP = 22;
const AXIS_HEIGHT = 34;

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Attributes for a hover tooltip: the `data-tip` text (shown by the page script) and an SVG <title> fallback. */
function tip(text: string): { attr: string; title: string } {
  const escaped = escapeHtml(text);
  return { attr: ` data-tip="${escaped}"`, title: `<title>${escaped}</title>` };
}

/**
 * The timeline chart: one lane per pod (old pods first), requests per second and failures per bucket below, all on
 * one time axis in wall-clock seconds since the rehearsal started.
 */
export function renderTimelineSvg(result: RehearsalResult): string {
  const { buckets, bucketMs } = result.timeline;
  const lastBucketEnd = buckets.reduce((max, b) => Math.max(max, b.atMs + bucketMs), 0);
  const endMs = Math.max(result.durationMs, lastBucketEnd, 1);
  const x = (ms: number) => LABEL_WIDTH + (Math.min(Math.max(ms, 0), endMs) / endMs) * PLOT_WIDTH;
  const pods = [...result.pods].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision === 'old' ? -1 : 1;
    return (a.events[0]?.atMs ?? 0) - (b.events[0]?.atMs ?? 0);
  });
  const lanesHeight = Math.max(pods.length, 1) * (LANE_HEIGHT + LANE_GAP);
  const rateTop = TOP + lanesHeight + SECTION_GAP;
  const failTop = rateTop + RATE_HEIGHT + SECTION_GAP;
  const axisTop = failTop + FAIL_HEIGHT;
  const height = axisTop + AXIS_HEIGHT;
  const out: string[] = [];

  out.push(
    `<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" ` +
      `aria-label="Pods and requests over time" xmlns="http://www.w3.org/2000/svg">`,
  );

  // Phase bands behind everything.
  result.rollout.phases.forEach((phase, i) => {
    const x0 = x(phase.startMs);
    const w = Math.max(x(phase.endMs) - x0, 0);
    const t = tip(`${phase.name}: ${formatDuration(phase.startMs)} – ${formatDuration(phase.endMs)}`);
    // The name only where it fits (about 7 px per upper-case letter); the tooltip has it anyway.
    const label =
      w >= phase.name.length * 7.5 + 10
        ? `<text x="${num(x0 + 6)}" y="17" class="phase-label">${escapeHtml(phase.name)}</text>`
        : '';
    out.push(
      `<g class="phase"${t.attr}><rect x="${num(x0)}" y="4" width="${num(w)}" height="${axisTop - 4}" ` +
        `fill="${i % 2 === 0 ? '#f8fafc' : '#eef2f7'}">${t.title}</rect>${label}</g>`,
    );
  });

  // Time grid and axis.
  const stepMs = niceStep(endMs / 1000, 12) * 1000;
  out.push(`<g class="axis">`);
  for (let t = 0; t <= endMs + 1e-6; t += stepMs) {
    const xt = num(x(t));
    out.push(`<line x1="${xt}" x2="${xt}" y1="${TOP - 4}" y2="${axisTop}" class="grid"/>`);
    out.push(`<text x="${xt}" y="${axisTop + 16}" text-anchor="middle">${num(t / 1000)} s</text>`);
  }
  out.push(
    `<line x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH + PLOT_WIDTH}" y1="${axisTop}" y2="${axisTop}" class="axis-line"/>`,
    `<text x="${LABEL_WIDTH + PLOT_WIDTH}" y="${axisTop + 31}" text-anchor="end" class="axis-title">` +
      `wall-clock time since start (Kubernetes time runs ×${escapeHtml(result.settings.speed)})</text>`,
    `</g>`,
  );

  // Pod lanes.
  out.push(`<g class="lanes">`);
  if (pods.length === 0) {
    out.push(`<text x="${LABEL_WIDTH + 8}" y="${TOP + 15}" class="empty">no pods recorded</text>`);
  }
  pods.forEach((pod, i) => {
    const y = TOP + i * (LANE_HEIGHT + LANE_GAP);
    const lane = podLane(pod, endMs);
    const label = pod.name.length > 22 ? `${pod.name.slice(0, 21)}…` : pod.name;
    const summary = tip(
      `${pod.name} (${pod.revision}, port ${pod.port}${pod.pid === undefined ? '' : `, pid ${pod.pid}`}): ` +
        `${formatCount(pod.requests.ok)} ok, ${formatCount(pod.requests.failed)} failed`,
    );
    out.push(
      `<g class="lane" data-pod="${escapeHtml(pod.name)}" data-revision="${escapeHtml(pod.revision)}">`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${PLOT_WIDTH}" height="${LANE_HEIGHT}" class="lane-bg"/>`,
      `<text x="${LABEL_WIDTH - 10}" y="${y + 15}" text-anchor="end" class="lane-label"${summary.attr}>` +
        `${summary.title}<tspan class="rev rev-${escapeHtml(pod.revision)}">${escapeHtml(pod.revision)}</tspan> ` +
        `${escapeHtml(label)}</text>`,
    );
    for (const seg of lane.segments) {
      const style = STATE_STYLE[seg.state];
      const x0 = x(seg.startMs);
      const w = Math.max(x(seg.endMs) - x0, 1);
      const t = tip(
        `${pod.name}: ${style.label} ${formatDuration(seg.startMs)} – ${formatDuration(seg.endMs)}` +
          (seg.detail ? ` — ${seg.detail}` : ''),
      );
      out.push(
        `<rect class="seg state-${seg.state}" x="${num(x0)}" y="${y + 3}" width="${num(w)}" ` +
          `height="${LANE_HEIGHT - 6}" rx="3" fill="${style.color}"${t.attr}>${t.title}</rect>`,
      );
    }
    for (const exit of lane.exits) {
      const style = STATE_STYLE[exit.state];
      const xe = num(x(exit.atMs));
      // The pod's exit code and signal are those of its last container.
      const last = exit === lane.end;
      const how = [
        !last || pod.exitCode === undefined || pod.exitCode === null ? '' : `exit code ${pod.exitCode}`,
        last && pod.signal ? `signal ${pod.signal}` : '',
        exit.detail ?? '',
      ]
        .filter(Boolean)
        .join(', ');
      const t = tip(`${pod.name}: ${style.label} at ${formatDuration(exit.atMs)}${how ? ` (${how})` : ''}`);
      const mark =
        exit.state === 'killed'
          ? `<path d="M${xe} ${y + 4} l7 14 M${xe} ${y + 18} l7 -14" transform="translate(-3.5 0)" stroke="${style.color}" stroke-width="2.5"/>`
          : `<rect x="${xe}" y="${y + 2}" width="3" height="${LANE_HEIGHT - 4}" fill="${style.color}"/>`;
      out.push(`<g class="end end-${exit.state}"${t.attr}>${t.title}${mark}</g>`);
    }
    out.push(`</g>`);
  });
  out.push(`</g>`);

  // Failure markers on the lane of the pod that served them.
  const laneIndex = new Map(pods.map((pod, i) => [pod.name, i]));
  out.push(`<g class="failure-marks">`);
  for (const failure of result.failures) {
    const i = failure.pod === undefined ? undefined : laneIndex.get(failure.pod);
    if (i === undefined) continue;
    const y = TOP + i * (LANE_HEIGHT + LANE_GAP);
    const t = tip(`${formatDuration(failure.atMs)} ${failure.kind} on ${failure.pod}: ${failure.detail}`);
    // A red notch hanging from the top edge of the lane, so it never covers the lane below.
    out.push(
      `<path class="fail-mark" d="M${num(x(failure.atMs))} ${y + 7} l-4 -7 h8 z" fill="${FAILURE_COLOR}"${t.attr}>${t.title}</path>`,
    );
  }
  out.push(`</g>`);

  // Requests per second, failed on top of ok.
  const perSecond = 1000 / Math.max(bucketMs, 1);
  const maxRate = buckets.reduce((max, b) => Math.max(max, (b.ok + b.failed) * perSecond), 0);
  const rateScale = maxRate > 0 ? niceStep(maxRate, 4) * Math.ceil(maxRate / niceStep(maxRate, 4)) : 1;
  const barWidth = Math.max((bucketMs / endMs) * PLOT_WIDTH - 0.5, 0.8);
  out.push(
    `<g class="rate">`,
    `<text x="${LABEL_WIDTH - 10}" y="${rateTop + 14}" text-anchor="end" class="section-label">requests/s</text>`,
    `<text x="${LABEL_WIDTH - 10}" y="${rateTop + 30}" text-anchor="end" class="section-sub">max ${formatCount(maxRate)}</text>`,
    `<line x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH + PLOT_WIDTH}" y1="${rateTop}" y2="${rateTop}" class="grid"/>`,
    `<text x="${LABEL_WIDTH + 4}" y="${rateTop + 11}" class="scale">${formatCount(rateScale)}</text>`,
  );
  for (const b of buckets) {
    const okH = ((b.ok * perSecond) / rateScale) * RATE_HEIGHT;
    const failH = ((b.failed * perSecond) / rateScale) * RATE_HEIGHT;
    const base = rateTop + RATE_HEIGHT;
    const x0 = num(x(b.atMs));
    const t = tip(
      `${formatDuration(b.atMs)} – ${formatDuration(b.atMs + bucketMs)}: ${formatCount(b.ok)} ok, ` +
        `${formatCount(b.failed)} failed (${formatCount((b.ok + b.failed) * perSecond)} req/s)`,
    );
    out.push(
      `<g class="bucket" data-at="${b.atMs}"${t.attr}>${t.title}` +
        `<rect x="${x0}" y="${num(base - okH)}" width="${num(barWidth)}" height="${num(okH)}" fill="${OK_COLOR}"/>` +
        (b.failed > 0
          ? `<rect x="${x0}" y="${num(base - okH - failH)}" width="${num(barWidth)}" height="${num(Math.max(failH, 1.5))}" fill="${FAILURE_COLOR}"/>`
          : '') +
        `</g>`,
    );
  }
  out.push(
    `<line x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH + PLOT_WIDTH}" y1="${rateTop + RATE_HEIGHT}" y2="${rateTop + RATE_HEIGHT}" class="axis-line"/>`,
    `</g>`,
  );

  // Failures per bucket on their own scale, so three failures among thousands of requests still show.
  const maxFailed = buckets.reduce((max, b) => Math.max(max, b.failed), 0);
  out.push(
    `<g class="failures">`,
    `<text x="${LABEL_WIDTH - 10}" y="${failTop + 14}" text-anchor="end" class="section-label fail-text">failed</text>`,
    `<text x="${LABEL_WIDTH - 10}" y="${failTop + 30}" text-anchor="end" class="section-sub">per ${formatDuration(bucketMs)}</text>`,
  );
  if (maxFailed === 0) {
    out.push(`<text x="${LABEL_WIDTH + 8}" y="${failTop + 30}" class="none">no failed requests</text>`);
  } else {
    out.push(`<text x="${LABEL_WIDTH + 4}" y="${failTop + 11}" class="scale">${formatCount(maxFailed)}</text>`);
    for (const b of buckets) {
      if (b.failed === 0) continue;
      const h = Math.max((b.failed / maxFailed) * (FAIL_HEIGHT - 14), 2);
      const t = tip(`${formatDuration(b.atMs)}: ${formatCount(b.failed)} failed`);
      out.push(
        `<rect class="fail-bar" x="${num(x(b.atMs))}" y="${num(failTop + FAIL_HEIGHT - h)}" width="${num(barWidth)}" ` +
          `height="${num(h)}" fill="${FAILURE_COLOR}"${t.attr}>${t.title}</rect>`,
      );
    }
  }
  out.push(`</g>`, `</svg>`);
  return out.join('\n');
}
