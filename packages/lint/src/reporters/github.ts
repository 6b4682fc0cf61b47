import type { LintResult } from '../engine.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** GitHub Actions workflow commands: one `::error file=...,line=...,col=...,title=...::message` per finding. */
export function formatGithub(result: LintResult): string {
  const lines = result.findings.map(
    (f) =>
      `::${COMMAND[f.severity]} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(`zerodrop ${f.rule}`)}::${escapeData(f.message)}`,
  );
  for (const p of result.problems)
    lines.push(
      `::error file=${escapeProperty(p.file)},line=${p.line},col=${p.column},title=zerodrop::${escapeData(p.message)}`,
    );
  return lines.length ? `${lines.join('\n')}\n` : '';
}
