import type { CheckFunction } from '../options.js';

export interface HttpCheckOptions {
  /** Request method. Default GET. */
  method?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Accepted statuses. Default: any 2xx. */
  expectStatus?: (status: number) => boolean;
}

/** Readiness check for an HTTP dependency: fetch `url` (aborted with the check), expect a 2xx. */
export function httpCheck(url: string | URL, options: HttpCheckOptions = {}): CheckFunction {
  const accept = options.expectStatus ?? ((status: number) => status >= 200 && status < 300);
  return async (signal) => {
    const init: RequestInit = { method: options.method ?? 'GET', signal };
    if (options.headers) init.headers = options.headers;
    const res = await fetch(url, init);
    await res.body?.cancel();
    if (!accept(res.status)) throw new Error(`${url} answered ${res.status}`);
  };
}
