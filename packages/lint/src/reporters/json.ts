import type { LintResult } from '../engine.js';
import type { Finding } from '../rule.js';
import { jsonWithItems, PLACEHOLDER } from './chunks.js';

/**
 * A finding as the report writes it: its fix reduced to its description. Made field by field (JSON leaves out the
 * fields that are undefined): an object spread for each of many findings costs more memory than the report itself.
 */
function findingJson(f: Finding) {
  return {
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    line: f.line,
    column: f.column,
    object: f.object,
    message: f.message,
    fixable: f.fix !== undefined,
    fix: f.fix?.description,
  };
}

/** `{ findings, problems, summary }`; a finding's fix is reduced to its description. Written a finding at a time. */
export function* jsonChunks(result: LintResult): Generator<string> {
  const skeleton = { findings: PLACEHOLDER, problems: result.problems, summary: result.summary };
  yield* jsonWithItems(skeleton, result.findings, 1, findingJson);
  yield '\n';
}
