import type { LintResult } from '../engine.js';

/** `{ findings, problems, summary }`; a finding's fix is reduced to its description. */
export function formatJson(result: LintResult): string {
  const findings = result.findings.map(({ fix, ...f }) => ({
    ...f,
    fixable: fix !== undefined,
    ...(fix ? { fix: fix.description } : {}),
  }));
  return `${JSON.stringify({ findings, problems: result.problems, summary: result.summary }, null, 2)}\n`;
}
