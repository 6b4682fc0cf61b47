import type { LintResult } from '../engine.js';
import { RULES } from '../registry.js';
import type { Finding } from '../rule.js';
import { CONDITIONS } from '../rule.js';
import { jsonWithItems, PLACEHOLDER } from './chunks.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;
const DOCS_BASE = 'https://github.com/zerodrop/zerodrop/blob/main/docs/rules/';

/**
 * SARIF 2.1.0, one run, every rule described in the driver; unreadable files as tool notifications. Written a result
 * at a time.
 */
export function* sarifChunks(result: LintResult, version: string): Generator<string> {
  const rules = RULES.map((r) => ({
    id: r.meta.id,
    name: r.meta.id,
    shortDescription: { text: r.meta.description },
    fullDescription: { text: `${r.meta.description}. Protects condition ${CONDITIONS[r.meta.condition]}.` },
    helpUri: `${DOCS_BASE}${r.meta.id}.md`,
    defaultConfiguration: { level: LEVEL[r.meta.severity] },
    properties: { fixable: r.meta.fixable, condition: r.meta.condition },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const uri = (file: string) => (file === '<stdin>' ? 'stdin' : file.split('\\').join('/'));
  const resultOf = (f: Finding) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule) ?? -1,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uri(f.file) },
          region: { startLine: f.line, startColumn: f.column },
        },
        ...(f.object
          ? {
              logicalLocations: [
                {
                  name: f.object.name,
                  fullyQualifiedName: `${f.object.kind}/${f.object.namespace ?? 'default'}/${f.object.name}`,
                  kind: f.object.kind,
                },
              ],
            }
          : {}),
      },
    ],
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'zerodrop',
            informationUri: 'https://github.com/zerodrop/zerodrop',
            version,
            rules,
          },
        },
        results: PLACEHOLDER,
        invocations: [
          {
            executionSuccessful: result.problems.length === 0,
            toolExecutionNotifications: result.problems.map((p) => ({
              level: 'error',
              message: { text: p.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: uri(p.file) },
                    region: { startLine: p.line, startColumn: p.column },
                  },
                },
              ],
            })),
          },
        ],
      },
    ],
  };
  // The results array sits in runs[0]: three levels down.
  yield* jsonWithItems(sarif, result.findings, 3, resultOf);
  yield '\n';
}
