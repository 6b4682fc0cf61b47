import type { LintResult } from '../engine.js';
import { jsonWithItems, PLACEHOLDER } from './chunks.js';

/** `{ findings, problems, summary }`; a finding's fix is reduced to its description. Written a finding at a time. */
export function* jsonChunks(result: LintResult): Generator<string> {
  const skeleton = { findings: PLACEHOLDER, problems: result.problems, summary: result.summary };
  yield* jsonWithItems(skeleton, result.findings, 1, ({ fix, ...f }) => ({
    ...f,
    fixable: fix !== undefined,
    ...(fix ? { fix: fix.description } : {}),
  }));
  yield '\n';
}
