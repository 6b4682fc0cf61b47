/** The URL the load goes to (an ingress, a load balancer, a NodePort), and its check before anything changes. */
import http from 'node:http';
import https from 'node:https';
import type { LoadTarget } from '@zerodrop/rehearse';
import { VerifyError } from './errors.js';

export interface UrlTarget {
  target: Exclude<LoadTarget, number>;
  /** Path and query of every request. */
  path: string;
  /** The URL as requests go to it, for messages and the report. */
  href: string;
}

/** `--url` with `--path` (which replaces the URL's own path and query when given). Throws for a URL that is not one. */
export function parseTarget(url: string, path?: string): UrlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VerifyError('URL_UNREACHABLE', `--url ${url} is not a URL: write it like http://203.0.113.7:30080/`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new VerifyError('URL_UNREACHABLE', `--url ${url}: only http:// and https:// are measured`);
  }
  if (path !== undefined && !path.startsWith('/')) {
    throw new VerifyError('URL_UNREACHABLE', `--path ${path} must start with /`);
  }
  const requestPath = path ?? `${parsed.pathname}${parsed.search}`;
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  // IPv6 literals come bracketed in a URL; the socket wants the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    target: { protocol: parsed.protocol, host, port },
    path: requestPath,
    href: new URL(requestPath, parsed).href,
  };
}

/**
 * One GET on a fresh connection. Resolves with the status, or with why nothing answered (refused, timeout, DNS, TLS).
 */
export function probeUrl(url: UrlTarget, timeoutMs: number): Promise<{ status: number } | { error: string }> {
  const transport = url.target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = transport.request(
      { host: url.target.host, port: url.target.port, path: url.path, agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: '' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code || e.message }));
    req.end();
  });
}

/**
 * Whether anything answers HTTP at `url` (any status), through probeUrl. Not fetch: a fetch whose only timer is
 * AbortSignal.timeout (unref'd) can leave the process with nothing running while it waits, and Node then ends it
 * half-way (a silent exit 0).
 */
export async function answersHttp(url: string, timeoutMs: number): Promise<boolean> {
  return 'status' in (await probeUrl(parseTarget(url), timeoutMs));
}

/** Checks the URL answers (and not with a 5xx) before any change: a URL that fails already measures nothing. */
export async function checkReachable(url: UrlTarget, timeoutMs: number): Promise<{ status: number }> {
  const answer = await probeUrl(url, timeoutMs);
  if ('error' in answer) {
    throw new VerifyError(
      'URL_UNREACHABLE',
      `${url.href} does not answer (${answer.error}) before anything was changed: nothing to measure. Check --url (the ingress, load balancer or NodePort in front of the Deployment) and that this machine can reach it.`,
    );
  }
  if (answer.status >= 500) {
    throw new VerifyError(
      'URL_UNREACHABLE',
      `${url.href} answers ${answer.status} before anything was changed: it fails already, so a rollout cannot be measured through it. Check --url and --path.`,
    );
  }
  return answer;
}
