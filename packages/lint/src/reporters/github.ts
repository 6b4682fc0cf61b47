import type { LintResult } from '../engine.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** GitHub Actions workflow commands: one `::error file=...,line=...,col=...,title=...::message` per finding. */
export function* githubChunks(result: LintResult): Generator<string> {
  for (const f of result.findings)
    yield `::${COMMAND[f.severity]} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(`zerodrop ${f.rule}`)}::${escapeData(f.message)}\n`;
  for (const p of result.problems)
    yield `::error file=${escapeProperty(p.file)},line=${p.line},col=${p.column},title=zerodrop::${escapeData(p.message)}\n`;
}
