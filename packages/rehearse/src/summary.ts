import { FAILURE_KINDS, type RehearsalResult } from './result.js';

const KIND_MEANING: Record<(typeof FAILURE_KINDS)[number], string> = {
  http5xx: '5xx answer (from the app, or the proxy for it)',
  reset: 'connection reset / closed mid-request',
  refused: 'connection refused, or no endpoint to route to',
  timeout: 'no response within the timeout',
  killed: 'in flight when the pod was SIGKILLed',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

/** The terminal summary of a rehearsal: verdict, failures by kind and phase, latency, rollout, per-pod timeline. */
export function renderSummary(result: RehearsalResult): string {
  const { requests, settings, rollout } = result;
  const lines: string[] = [];
  const verdict =
    result.outcome?.status === 'error'
      ? 'COULD NOT RUN'
      : requests.failed === 0
        ? `ZERO DROPPED of ${requests.total} requests`
        : `${requests.failed} of ${requests.total} requests FAILED (${((requests.failed / Math.max(1, requests.total)) * 100).toFixed(2)}%)`;
  lines.push(`zerodrop rehearse: ${verdict}${result.outcome?.status === 'aborted' ? ' (interrupted: partial)' : ''}`);
  lines.push(
    `  ${settings.replicas} replica(s), maxSurge ${settings.maxSurge}, maxUnavailable ${settings.maxUnavailable}, preStop ${settings.preStop}, grace ${settings.gracePeriodSeconds}s, profile ${settings.profile}, ${settings.rate} req/s over ${settings.connections} connection(s), --speed ${settings.speed}`,
  );
  if (requests.failed > 0) {
    lines.push('  failures by kind:');
    for (const kind of FAILURE_KINDS) {
      if (requests.byKind[kind] > 0)
        lines.push(`    ${kind.padEnd(8)} ${String(requests.byKind[kind]).padStart(6)}  ${KIND_MEANING[kind]}`);
    }
  }
  lines.push('  by phase:');
  for (const [phase, counts] of Object.entries(requests.byPhase)) {
    lines.push(`    ${phase.padEnd(8)} ${String(counts.total).padStart(6)} sent, ${counts.failed} failed`);
  }
  lines.push(
    `  latency of successful requests: p50 ${requests.latencyMs.p50} ms, p99 ${requests.latencyMs.p99} ms, max ${requests.latencyMs.max} ms`,
  );
  lines.push(
    rollout.completed
      ? `  rollout: ${seconds(rollout.durationMs)} from the first new pod to the last old pod gone (wall clock)`
      : '  rollout: did not complete',
  );
  lines.push('  pods:');
  for (const pod of result.pods) {
    const steps = pod.events.map((e) => `${e.state} ${seconds(e.atMs)}`).join(', ');
    const exit = pod.signal ? `, exit ${pod.signal}` : pod.exitCode !== undefined ? `, exit ${pod.exitCode}` : '';
    lines.push(
      `    ${pod.name.padEnd(7)} ${String(pod.requests.ok).padStart(6)} ok ${String(pod.requests.failed).padStart(4)} failed${exit}`,
    );
    lines.push(`            ${steps}`);
  }
  if (result.failures.length > 0) {
    lines.push('  first failures:');
    for (const f of result.failures.slice(0, 5)) {
      lines.push(`    ${seconds(f.atMs)} ${f.kind} ${f.pod ?? '-'} (${f.phase}) ${f.detail}`);
    }
  }
  return lines.join('\n');
}
