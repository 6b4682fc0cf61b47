import { FIELD_TYPE_ERROR, INTERNAL_ERROR, type LintResult } from '../engine.js';
import type { Severity } from '../rule.js';

const COLORS = { error: 31, warning: 33, info: 36, dim: 2, bold: 1, underline: 4 } as const;

/** ESLint-style output grouped by file: `line:col  severity  message  rule`. Written a finding at a time. */
export function* textChunks(result: LintResult, options: { color: boolean }): Generator<string> {
  const paint = (code: number, s: string) => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const out: string[] = [];
  const byFile = new Map<string, LintResult['findings']>();
  for (const f of result.findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const [file, findings] of byFile) {
    yield `${paint(COLORS.underline, file)}\n`;
    for (const f of findings) {
      const label = paint(COLORS[f.severity as Severity], f.severity.padEnd(7));
      yield `  ${`${f.line}:${f.column}`.padEnd(8)} ${label}  ${f.message}  ${paint(COLORS.dim, f.rule)}\n`;
    }
    yield '\n';
  }
  for (const p of result.problems)
    out.push(`${paint(COLORS.error, 'error')} ${p.file}:${p.line}:${p.column}: ${p.message}`);
  if (result.problems.length) out.push('');
  const s = result.summary;
  const total = s.errors + s.warnings + s.infos;
  const counts = `${total} problem${total === 1 ? '' : 's'} (${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}, ${s.infos} info)`;
  const fixable = s.fixable ? `; ${s.fixable} fixable with \`zerodrop fix\`` : '';
  const skipped = s.skippedDocuments ? `; ${s.skippedDocuments} non-Kubernetes document(s) skipped` : '';
  const kinds = Object.entries(s.skippedKinds ?? {});
  const unchecked = kinds.length ? `; no rule for ${kinds.map(([kind, n]) => `${n} ${kind}`).join(', ')}` : '';
  const problemsOf = (pick: (code: string) => boolean) => result.problems.filter((p) => pick(p.code)).length;
  const unread = problemsOf((c) => c !== FIELD_TYPE_ERROR && c !== INTERNAL_ERROR);
  const mistyped = problemsOf((c) => c === FIELD_TYPE_ERROR);
  const internal = problemsOf((c) => c === INTERNAL_ERROR);
  const problems =
    (unread ? `; ${unread} file(s) could not be read, wholly or in part` : '') +
    (mistyped ? `; ${mistyped} field(s) of a type Kubernetes rejects` : '') +
    (internal ? `; ${internal} internal error(s)` : '');
  const checked = `${s.objects} object(s), ${s.workloads} workload(s), ${s.dockerfiles} Dockerfile(s) checked`;
  const nothing = s.objects === 0 && s.dockerfiles === 0;
  const verdict =
    total > 0
      ? `✖ ${counts}`
      : result.problems.length
        ? '✖ no findings in what could be read'
        : nothing
          ? '– nothing checked: no Kubernetes objects or Dockerfiles found'
          : '✓ no problems';
  const line = `${verdict}: ${checked}${fixable}${skipped}${unchecked}${problems}`;
  out.push(total === 0 && !result.problems.length && !nothing ? line : paint(COLORS.bold, line));
  yield `${out.join('\n')}\n`;
}
