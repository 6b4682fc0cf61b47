/**
 * The verdict on a rehearsal, decided once for the terminal summary, the HTML report and the exit status:
 * could not run, interrupted, could not measure (nothing was sent), requests failed, nothing failed but a pod did not
 * exit cleanly (a warning), or zero dropped.
 */
import { formatCount as count } from './report/format.js';
import type { PodRecord, RehearsalResult } from './result.js';

export type VerdictStatus = 'error' | 'aborted' | 'no-measure' | 'failed' | 'unclean' | 'pass';

/** A pod that ended badly although the rollout asked it to stop: non-zero exit, a signal's default action, SIGKILL. */
export interface UncleanExit {
  pod: string;
  how: string;
}

export interface Verdict {
  status: VerdictStatus;
  /** One short line: `ZERO DROPPED of 2,345 requests`, `COULD NOT RUN`, ... */
  title: string;
  /** The process exit status for it. */
  exitCode: number;
  unclean: UncleanExit[];
}

/** How each pod that was asked to stop (or restarted by a probe) ended, when it ended badly. */
export function uncleanExits(pods: readonly PodRecord[]): UncleanExit[] {
  const out: UncleanExit[] = [];
  for (const pod of pods) {
    let stopping = false;
    for (const event of pod.events) {
      if (event.state === 'stop-signal') stopping = true;
      if (event.state === 'killed') {
        out.push({ pod: pod.name, how: `was SIGKILLed (${event.detail ?? 'at the end of the grace period'})` });
        stopping = false;
      } else if (event.state === 'exited' && stopping) {
        stopping = false;
        const detail = event.detail ?? '';
        if (detail === 'code 0') continue;
        const deadline = pod.output?.some((l) => /deadline/i.test(l)) ? ', at its own shutdown deadline' : '';
        out.push({
          pod: pod.name,
          how: detail.startsWith('signal')
            ? `ended by ${detail.slice('signal '.length)} without handling it (no drain ran)`
            : `exited with ${detail} after the stop signal${deadline}`,
        });
      }
    }
  }
  return out;
}

/** The verdict; `allowUncleanExit` makes an unclean exit a warning that still exits 0. */
export function verdictOf(
  result: RehearsalResult,
  allowUncleanExit = result.settings.allowUncleanExit === true,
): Verdict {
  const { total, failed } = result.requests;
  const unclean = uncleanExits(result.pods);
  if (result.outcome?.status === 'error') return { status: 'error', title: 'COULD NOT RUN', exitCode: 2, unclean };
  if (result.outcome?.status === 'aborted') {
    return { status: 'aborted', title: `INTERRUPTED after ${count(total)} requests (partial)`, exitCode: 130, unclean };
  }
  if (total === 0)
    return { status: 'no-measure', title: 'COULD NOT MEASURE: no request was sent', exitCode: 2, unclean };
  if (failed > 0) {
    const share = ((failed / total) * 100).toFixed(2);
    return {
      status: 'failed',
      title: `${count(failed)} of ${count(total)} requests FAILED (${share}%)`,
      exitCode: 1,
      unclean,
    };
  }
  if (unclean.length > 0) {
    return {
      status: 'unclean',
      title: `ZERO DROPPED of ${count(total)} requests, BUT ${unclean.length} pod(s) did not exit cleanly`,
      exitCode: allowUncleanExit ? 0 : 1,
      unclean,
    };
  }
  return { status: 'pass', title: `ZERO DROPPED of ${count(total)} requests`, exitCode: 0, unclean };
}
