/** Epoch milliseconds with sub-millisecond precision, comparable across worker threads. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` wall-clock milliseconds, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
