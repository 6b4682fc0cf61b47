import { timingSafeEqual } from 'node:crypto';
import type { ReadinessReport } from './health.js';
import type { ResolvedOptions } from './options.js';

export type ProbeKind = 'live' | 'ready' | 'startup' | 'prestop';

/**
 * Which probe route a request URL targets, if any. Runs on every request: keep it cheap. `prestop` false: the prestop
 * path is not a route on this listener (the app's port without a token), so its requests go to the app like any
 * other path and nothing reveals that the route exists.
 */
export function matchProbe(url: string, paths: ResolvedOptions['paths'], prestop = true): ProbeKind | undefined {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  if (pathname === paths.ready) return 'ready';
  if (pathname === paths.live) return 'live';
  if (pathname === paths.startup) return 'startup';
  if (prestop && pathname === paths.prestop) return 'prestop';
  return undefined;
}

/** A probe request, whatever the protocol (HTTP/1 response object or raw HTTP/2 stream). */
export interface ProbeExchange {
  method: string;
  url: string;
  header(name: string): string | undefined;
  /** `body`: an object to serialize, or JSON already serialized. */
  reply(status: number, body: Record<string, unknown> | string | undefined, headers?: Record<string, string>): void;
}

/** What the probe routes need to know about the engine. */
export interface ProbeContext {
  state(): string;
  started(): boolean;
  /** Draining or later: readiness is 503 without running the checks. */
  draining(): boolean;
  /** The app's server still accepts connections (the app may close its listener on its own). */
  accepting(): boolean;
  readiness(): Promise<ReadinessReport>;
  /** The last report while it is fresh (no check runs). */
  cachedReadiness(): ReadinessReport | undefined;
  /** The preStop hook arrived: start the drain; resolves when it may be answered (after the drain delay). */
  prestop(): Promise<void>;
  options: ResolvedOptions;
}

const PRESTOP_HEADER = 'x-zerodrop-prestop-token';

function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function queryToken(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
}

/** Serve one probe request. Never throws; a failure becomes a 5xx answer. */
export function serveProbe(kind: ProbeKind, exchange: ProbeExchange, ctx: ProbeContext): void {
  const { method } = exchange;
  const allowed = kind === 'prestop' ? 'GET' : 'GET, HEAD';
  if (method !== 'GET' && !(method === 'HEAD' && kind !== 'prestop')) {
    exchange.reply(405, { status: 'method not allowed' }, { allow: allowed });
    return;
  }
  const state = ctx.state();
  switch (kind) {
    case 'live':
      exchange.reply(200, { status: 'ok', state });
      return;
    case 'startup':
      exchange.reply(ctx.started() ? 200 : 503, { status: ctx.started() ? 'ok' : 'starting', state });
      return;
    case 'ready': {
      if (ctx.draining()) {
        exchange.reply(503, { status: 'draining', state });
        return;
      }
      if (!ctx.started()) {
        exchange.reply(503, { status: 'starting', state });
        return;
      }
      if (!ctx.accepting()) {
        exchange.reply(503, { status: 'not listening', state });
        return;
      }
      const details = ctx.options.exposeDetails;
      const answer = (report: ReadinessReport) => {
        // The state may have changed while the checks ran.
        if (ctx.draining()) exchange.reply(503, { status: 'draining', state: ctx.state() });
        else if (!ctx.accepting()) exchange.reply(503, { status: 'not listening', state: ctx.state() });
        else {
          const rendered = renderReady(report, details);
          exchange.reply(rendered.status, rendered.json);
        }
      };
      // Hot path: a fresh cached report answers synchronously, from a body rendered once per report.
      const cached = ctx.cachedReadiness();
      if (cached) answer(cached);
      else ctx.readiness().then(answer, () => exchange.reply(500, { status: 'error', state }));
      return;
    }
    case 'prestop': {
      const token = ctx.options.prestopToken;
      // Without a token only the probe port (not exposed by the Service) serves the route (see matchProbe).
      if (token !== undefined && !tokenMatches(token, exchange.header(PRESTOP_HEADER) ?? queryToken(exchange.url))) {
        exchange.reply(403, { status: 'forbidden' });
        return;
      }
      ctx.prestop().then(
        () => exchange.reply(200, { status: 'drained', state: ctx.state() }),
        () => exchange.reply(500, { status: 'error', state: ctx.state() }),
      );
      return;
    }
  }
}

const rendered = new WeakMap<ReadinessReport, { plain?: Rendered; details?: Rendered }>();

interface Rendered {
  status: number;
  json: string;
}

/** The readiness answer for a report, serialized once per report (a report lives for the cache TTL). */
function renderReady(report: ReadinessReport, details: boolean): Rendered {
  let forReport = rendered.get(report);
  if (!forReport) {
    forReport = {};
    rendered.set(report, forReport);
  }
  const key = details ? 'details' : 'plain';
  let answer = forReport[key];
  if (!answer) {
    const checks: Record<string, unknown> = {};
    for (const [name, result] of Object.entries(report.checks))
      checks[name] = details ? result : { status: result.status };
    answer = {
      status: report.ok ? 200 : 503,
      json: JSON.stringify({ status: report.ok ? 'ok' : 'fail', state: 'ready', checks }),
    };
    forReport[key] = answer;
  }
  return answer;
}

/** Serialize a probe answer the same way on every transport. */
export function probeBody(
  method: string,
  body: Record<string, unknown> | string | undefined,
  extra?: Record<string, string>,
) {
  const json = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(json)),
  };
  if (extra) Object.assign(headers, extra);
  return { text: method === 'HEAD' ? '' : json, headers };
}
