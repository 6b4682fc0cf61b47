import { timingSafeEqual } from 'node:crypto';
import type { ReadinessReport } from './health.js';
import type { ResolvedOptions } from './options.js';

export type ProbeKind = 'live' | 'ready' | 'startup' | 'prestop';

/** Which probe route a request URL targets, if any. Runs on every request: keep it cheap. */
export function matchProbe(url: string, paths: ResolvedOptions['paths']): ProbeKind | undefined {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  if (pathname === paths.ready) return 'ready';
  if (pathname === paths.live) return 'live';
  if (pathname === paths.startup) return 'startup';
  if (pathname === paths.prestop) return 'prestop';
  return undefined;
}

/** A probe request, whatever the protocol (HTTP/1 response object or raw HTTP/2 stream). */
export interface ProbeExchange {
  method: string;
  url: string;
  header(name: string): string | undefined;
  /** Which listener it came in on: the app's port or the separate probe port. */
  port: 'app' | 'probe';
  reply(status: number, body: Record<string, unknown> | undefined, headers?: Record<string, string>): void;
}

/** What the probe routes need to know about the engine. */
export interface ProbeContext {
  state(): string;
  started(): boolean;
  /** Draining or later: readiness is 503 without running the checks. */
  draining(): boolean;
  readiness(): Promise<ReadinessReport>;
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
      const details = ctx.options.exposeDetails ?? exchange.port === 'probe';
      ctx.readiness().then(
        (report) => {
          const checks: Record<string, unknown> = {};
          for (const [name, result] of Object.entries(report.checks)) {
            checks[name] = details ? result : { status: result.status };
          }
          // The state may have changed while the checks ran.
          if (ctx.draining()) exchange.reply(503, { status: 'draining', state: ctx.state(), checks });
          else exchange.reply(report.ok ? 200 : 503, { status: report.ok ? 'ok' : 'fail', state: ctx.state(), checks });
        },
        () => exchange.reply(500, { status: 'error', state }),
      );
      return;
    }
    case 'prestop': {
      const token = ctx.options.prestopToken;
      if (token === undefined) {
        // Without a token only the probe port (not exposed by the Service) may start the drain.
        if (exchange.port !== 'probe') {
          exchange.reply(404, { status: 'not found' });
          return;
        }
      } else if (!tokenMatches(token, exchange.header(PRESTOP_HEADER) ?? queryToken(exchange.url))) {
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

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** Serialize a probe answer the same way on every transport. */
export function probeBody(method: string, body: Record<string, unknown> | undefined, headers?: Record<string, string>) {
  const json = body === undefined ? '' : JSON.stringify(body);
  const text = method === 'HEAD' ? '' : json;
  return { text, headers: { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(json)), ...headers } };
}
