import { RULES } from './registry.js';
import { CONDITIONS, type Rule } from './rule.js';

/** docs/rules/README.md, generated from the rule metas so the table never drifts from the code. */
export function renderRulesReadme(rules: readonly Rule[] = RULES): string {
  const header = ['rule', 'what it finds', 'severity', 'fixable', 'condition'];
  const cells = rules.map((r) => [
    `[${r.meta.id}](${r.meta.id}.md)`,
    r.meta.description,
    r.meta.severity,
    r.meta.fixable ? 'yes' : '',
    CONDITIONS[r.meta.condition],
  ]);
  // Columns padded to their widest cell, as the repository's Markdown formatter writes tables.
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rows = cells.map(line);
  return [
    '# zerodrop rules',
    '',
    '<!-- Generated from packages/lint/src/rules/*.ts by `npm run docs:rules -w packages/lint`; do not edit. -->',
    '',
    'Each rule protects one of the zero-drop conditions of [the termination timeline](../../README.md#the-problem-in-one-timeline). Severities are the',
    'defaults; change them, or turn a rule off, under `rules:` in `.zerodrop.yaml`, or per object with the annotation',
    '`zerodrop.dev/ignore: "rule-a,rule-b"`. Fixable rules are applied by `zerodrop fix`.',
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows,
    '',
  ].join('\n');
}
