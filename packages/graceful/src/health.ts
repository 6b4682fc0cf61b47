import { GracefulError } from './errors.js';
import { errorFields, type Logger } from './logger.js';
import type { ResolvedOptions } from './options.js';

/** Outcome of one readiness check. */
export interface CheckResult {
  status: 'ok' | 'fail';
  durationMs: number;
  /** Why it failed (a GracefulError code or the check's error message). */
  error?: string;
}

/** Outcome of one run of all readiness checks. */
export interface ReadinessReport {
  ok: boolean;
  checks: Record<string, CheckResult>;
  /** When the run finished (ms since epoch). */
  at: number;
}

type Check = ResolvedOptions['checks'][number];

/**
 * Runs the readiness checks: each with its own timeout and AbortSignal, all in parallel; the result is cached for
 * `ttl` ms and concurrent callers share one run, so a probe storm never multiplies the load on a dependency and a
 * hung dependency never makes a probe slower than the check timeout.
 */
export class ReadinessChecks {
  private cached: ReadinessReport | undefined;
  private running: Promise<ReadinessReport> | undefined;
  private readonly lastStatus = new Map<string, 'ok' | 'fail'>();

  constructor(
    private checks: Check[],
    private readonly ttl: number,
    private readonly logger: Logger,
  ) {}

  /** The cached report while it is fresh: lets a probe answer synchronously. */
  fresh(now = Date.now()): ReadinessReport | undefined {
    return this.cached && now - this.cached.at < this.ttl ? this.cached : undefined;
  }

  /** More checks (a checks module loaded after the server started); the next run includes them. */
  add(checks: Check[]): void {
    this.checks = [...this.checks, ...checks];
    this.cached = undefined;
  }

  run(now = Date.now()): Promise<ReadinessReport> {
    const fresh = this.fresh(now);
    if (fresh) return Promise.resolve(fresh);
    if (!this.running) {
      // Cleared however the run ends, so one failure (a logger that threw) cannot pin every later probe to it.
      const running = this.runAll();
      this.running = running;
      running.then(
        (report) => {
          this.cached = report;
        },
        () => {},
      );
      void running
        .finally(() => {
          if (this.running === running) this.running = undefined;
        })
        .catch(() => {});
    }
    return this.running;
  }

  private async runAll(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map((check) => this.runOne(check)));
    const report: ReadinessReport = { ok: true, checks: {}, at: Date.now() };
    results.forEach((result, i) => {
      const name = this.checks[i]!.name;
      report.checks[name] = result;
      if (result.status === 'fail') report.ok = false;
      if (this.lastStatus.get(name) !== result.status) {
        if (result.status === 'fail')
          this.logger.warn(
            { event: 'check_failed', check: name, reason: result.error },
            `readiness check "${name}" failed`,
          );
        else if (this.lastStatus.has(name))
          this.logger.info({ event: 'check_recovered', check: name }, `readiness check "${name}" recovered`);
        this.lastStatus.set(name, result.status);
      }
    });
    return report;
  }

  private runOne(check: Check): Promise<CheckResult> {
    const started = performance.now();
    const controller = new AbortController();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise<CheckResult>((resolve) => {
      const timer = setTimeout(() => {
        const error = new GracefulError(
          'ERR_ZERODROP_CHECK_TIMEOUT',
          `check "${check.name}" timed out after ${check.timeout} ms`,
        );
        controller.abort(error);
        resolve({ status: 'fail', durationMs: elapsed(), error: error.message });
      }, check.timeout);
      Promise.resolve()
        .then(() => check.run(controller.signal))
        .then(
          (value) => {
            clearTimeout(timer);
            if (value === false)
              resolve({ status: 'fail', durationMs: elapsed(), error: `check "${check.name}" returned false` });
            else resolve({ status: 'ok', durationMs: elapsed() });
          },
          (error: unknown) => {
            clearTimeout(timer);
            const fields = errorFields(error);
            resolve({
              status: 'fail',
              durationMs: elapsed(),
              error: fields.code === undefined ? fields.error : `${fields.code}: ${fields.error}`,
            });
          },
        );
    });
  }
}
