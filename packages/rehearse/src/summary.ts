import { formatDiagnosis } from './diagnosis.js';
import { formatCount } from './report/format.js';
import { FAILURE_KINDS, type RehearsalResult, toolOf } from './result.js';
import { verdictOf } from './verdict.js';

const KIND_MEANING: Record<(typeof FAILURE_KINDS)[number], string> = {
  http5xx: '5xx answer (from the app, or the proxy for it)',
  reset: 'connection reset / closed mid-request',
  refused: 'connection refused, or no endpoint to route to',
  timeout: 'no response within the timeout',
  killed: 'in flight when the pod was SIGKILLed',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

/** Where lint found a rule's problem in the rehearsed manifest: `deploy.yaml:21` (or the object), or nothing. */
export function lintedAt(result: RehearsalResult, rule: string): string | undefined {
  const finding = result.lint?.findings.find((f) => f.rule === rule);
  if (!finding || !result.lint) return undefined;
  // Line 0: the object was read from a cluster, not from a file.
  return finding.line > 0 ? `${result.lint.file}:${finding.line}` : result.lint.file;
}

/** `zerodrop rehearse: COULD NOT RUN: <diagnosis>`, the short form for a rehearsal that never measured. */
export function renderFailureToRun(result: RehearsalResult): string {
  const diagnosis = result.outcome?.diagnosis;
  const reason = diagnosis ? formatDiagnosis(diagnosis) : (result.outcome?.message ?? 'no reason was recorded');
  return `zerodrop ${toolOf(result)}: COULD NOT RUN: ${reason}`;
}

/** What was measured, in one line: the rehearsal's settings, or the cluster, Deployment and URL of a verify run. */
function settingsLine(result: RehearsalResult): string {
  const s = result.settings;
  const workload = `${s.replicas} replica(s), maxSurge ${s.maxSurge}, maxUnavailable ${s.maxUnavailable}, preStop ${s.preStop}, grace ${s.gracePeriodSeconds}s`;
  const load = `${s.rate} req/s over ${s.connections} connection(s)`;
  const v = result.verify;
  const plane = result.controlPlane;
  if (plane) {
    const where = `${plane.temporary ? 'a cluster started for the run' : `the cluster in ${plane.cluster}`}, ${plane.nodes} node(s)`;
    const trigger = v?.trigger.startsWith('drain:') ? `, ${v.trigger}` : '';
    return `  ${workload}, profile ${s.profile}, ${load}, on the real control plane (Kubernetes ${plane.version}, ${where})${trigger}`;
  }
  if (!v) return `  ${workload}, profile ${s.profile}, ${load}, --speed ${s.speed}`;
  return `  deployment ${v.namespace}/${v.deployment} (context ${v.context}), trigger ${v.trigger}, ${workload}, ${load} to ${v.url}`;
}

/** A drain's evictions: how many were accepted, how many a PodDisruptionBudget refused (429) and why. */
export function evictionLines(result: RehearsalResult): string[] {
  const evictions = result.verify?.evictions ?? [];
  if (evictions.length === 0) return [];
  const accepted = evictions.filter((e) => e.status === 201);
  const refused = evictions.filter((e) => e.status === 429);
  const lines = [
    `  drain: ${accepted.length} pod(s) evicted${accepted.length ? ` (${accepted.map((e) => `${e.pod} at ${seconds(e.atMs)}`).join(', ')})` : ''}, ${refused.length} eviction(s) refused with 429`,
  ];
  for (const message of new Set(refused.map((e) => e.message))) lines.push(`    429: ${message}`);
  return lines;
}

/**
 * The terminal summary of a rehearsal: verdict; why requests failed, on the timeline, with what to change and the
 * lint rules; unclean exits; failures by kind and phase; latency; rollout; per-pod timeline; lint of the manifest.
 */
export function renderSummary(result: RehearsalResult): string {
  const { requests, settings, rollout } = result;
  const verified = result.verify !== undefined;
  const verdict = verdictOf(result);
  if (verdict.status === 'error') return renderFailureToRun(result);
  const lines: string[] = [`zerodrop ${toolOf(result)}: ${verdict.title}`, settingsLine(result)];
  for (const note of result.verify?.notes ?? []) lines.push(`  note: ${note}`);
  if (verdict.status === 'no-measure') {
    lines.push('  nothing was measured: the load never started, so this run says nothing about dropped requests');
  }
  const groups = result.attribution?.groups ?? [];
  if (groups.length > 0) {
    lines.push('  why, on the termination timeline:');
    for (const group of groups) {
      lines.push(`    ${group.cause.padEnd(9)} ${String(group.count).padStart(6)}  ${group.explanation}`);
      lines.push(`                      fix: ${group.fix}`);
      const rules = group.rules.map((r) => {
        const at = lintedAt(result, r.id);
        return at ? `${r.id} (lint flags it at ${at})` : r.id;
      });
      if (rules.length > 0) lines.push(`                      rules: ${rules.join(', ')}; ${group.rules[0]?.url}`);
      if (group.docs) lines.push(`                      docs: ${group.docs.url}`);
    }
  }
  if (verdict.unclean.length > 0) {
    lines.push(
      `  pods that did not exit cleanly (${toolOf(result) === 'verify' ? 'a warning: the exit status counts failed requests only' : settings.allowUncleanExit ? 'accepted with --allow-unclean-exit' : 'exit status 1; --allow-unclean-exit accepts them'}):`,
    );
    for (const u of verdict.unclean) lines.push(`    ${u.pod} ${u.how}`);
  }
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
  lines.push(...evictionLines(result));
  lines.push('  pods:');
  for (const pod of result.pods) {
    const steps = pod.events.map((e) => `${e.state} ${seconds(e.atMs)}`).join(', ');
    const exit = pod.signal ? `, exit ${pod.signal}` : pod.exitCode !== undefined ? `, exit ${pod.exitCode}` : '';
    // A real cluster does not say which pod served a successful request: only failures are placed on pods.
    const counts = verified
      ? `${String(pod.requests.failed).padStart(4)} failed`
      : `${String(pod.requests.ok).padStart(6)} ok ${String(pod.requests.failed).padStart(4)} failed`;
    lines.push(`    ${pod.name.padEnd(7)} ${counts}${exit}`);
    lines.push(`            ${steps}`);
    for (const line of pod.output ?? []) lines.push(`            | ${line}`);
  }
  if (result.failures.length > 0) {
    lines.push('  first failures:');
    for (const f of result.failures.slice(0, 5)) {
      lines.push(`    ${seconds(f.atMs)} ${f.kind} ${f.pod ?? '-'} (${f.phase}) ${f.detail}`);
    }
  }
  if (result.lint) {
    const findings = result.lint.findings;
    const errors = findings.filter((f) => f.severity === 'error').length;
    lines.push(
      findings.length === 0
        ? `  zerodrop lint ${result.lint.file}: no problems`
        : `  zerodrop lint ${result.lint.file}: ${formatCount(findings.length)} finding(s), ${errors} error(s):`,
    );
    for (const f of findings)
      lines.push(
        `    ${(f.line > 0 ? `${f.line}:${f.column}` : '').padEnd(7)} ${f.severity.padEnd(7)} ${f.rule}  ${f.message}`,
      );
  }
  if (result.isolation) lines.push(`  replicas ran in ${result.isolation}`);
  return lines.join('\n');
}
