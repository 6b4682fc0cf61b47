import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSettings } from '../../src/config.js';
import { lint } from '../../src/engine.js';
import type { Input } from '../../src/files.js';
import { fixInputs } from '../../src/fix.js';
import type { LintSettings, Rule, Severity } from '../../src/rule.js';

/** The manifest of a case is linted as this file; Dockerfiles of a case live next to it unless named otherwise. */
export const MANIFEST = 'app/manifest.yaml';

export interface ValidCase {
  name: string;
  yaml: string;
  /** Extra files: path → Dockerfile text (e.g. `{ 'app/Dockerfile': 'FROM node\nCMD ["node","a.js"]\n' }`). */
  dockerfiles?: Record<string, string>;
  settings?: Partial<LintSettings>;
}

export interface ExpectedFinding {
  message: RegExp;
  line?: number;
  file?: string;
  /** The finding's severity when the rule reports this case milder than its own (default: the rule's). */
  severity?: Severity;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedFinding[];
  /** The manifest after `zerodrop fix` with only this rule; `null` when the finding has no fix. */
  output?: string | null;
}

/** Drops the common leading indentation of a template literal, so cases can be written indented. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(
    ...text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.length - l.trimStart().length),
  );
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n')
    .replace(/[ \t]+$/, '');
}

function inputsOf(c: ValidCase): Input[] {
  const inputs: Input[] = [{ file: MANIFEST, kind: 'manifest', text: c.yaml }];
  for (const [file, text] of Object.entries(c.dockerfiles ?? {})) inputs.push({ file, kind: 'dockerfile', text });
  return inputs;
}

function settingsOf(c: ValidCase): LintSettings {
  return { ...defaultSettings(), ...c.settings };
}

/** Runs one rule over lists of valid and invalid cases, ESLint RuleTester style. */
export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describe(rule.meta.id, () => {
    for (const c of cases.valid) {
      test(`valid: ${c.name}`, () => {
        const result = lint(inputsOf(c), settingsOf(c), [rule]);
        assert.deepEqual(result.problems, [], 'the case must parse');
        assert.deepEqual(
          result.findings.map((f) => f.message),
          [],
        );
      });
    }
    for (const c of cases.invalid) {
      test(`invalid: ${c.name}`, () => {
        const result = lint(inputsOf(c), settingsOf(c), [rule]);
        assert.deepEqual(result.problems, [], 'the case must parse');
        assert.equal(
          result.findings.length,
          c.errors.length,
          `expected ${c.errors.length} finding(s), got:\n${result.findings.map((f) => f.message).join('\n')}`,
        );
        c.errors.forEach((expected, i) => {
          const finding = result.findings[i]!;
          assert.equal(finding.rule, rule.meta.id);
          assert.equal(finding.severity, expected.severity ?? rule.meta.severity);
          assert.match(finding.message, expected.message);
          if (expected.line !== undefined) assert.equal(finding.line, expected.line, `line of: ${finding.message}`);
          assert.equal(finding.file, expected.file ?? MANIFEST);
        });
        if (c.output === undefined) return;
        const fixed = fixInputs(inputsOf(c), settingsOf(c), [rule]);
        if (c.output === null) {
          assert.equal(fixed.changed.size, 0, 'expected no fix');
          return;
        }
        assert.equal(fixed.changed.get(MANIFEST), c.output);
        const again = fixInputs([{ file: MANIFEST, kind: 'manifest', text: c.output }], settingsOf(c), [rule]);
        assert.equal(again.changed.size, 0, 'a second fix run must change nothing');
        assert.equal(
          again.remaining.findings.filter((f) => f.fix).length,
          0,
          'every fixable finding is gone after the fix',
        );
      });
    }
  });
}
