import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifests } from '@zerodrop/core';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { defaultSettings, parseConfig } from '../src/config.js';
import { FIELD_TYPE_ERROR, INTERNAL_ERROR, lint, lintParsed } from '../src/engine.js';
import { UserInputError } from '../src/errors.js';
import { fixInputs } from '../src/fix.js';
import { FORMATS, formatResult } from '../src/reporters/index.js';
import { strictErrors } from './support/fix-checks.js';
import { ANY_VALUE, Mutator, RAW_YAML, TEXT_CUT } from './support/mutations.js';
import { seedManifests } from './support/seeds.js';

const SEEDS = seedManifests();
const MUTATOR = new Mutator(SEEDS.map((s) => s.text));

const KNOWN_CODES = /^ERR_ZERODROP_/;

/**
 * Lints and fixes one manifest text (with a Dockerfile of the same text): every outcome must be findings or problems
 * with a place, never a throw and never an internal error; every report format renders; a fix writes only text
 * that parses strictly and that a second fix leaves as it is.
 */
function lintsOrReports(text: string): void {
  const inputs = [
    { file: 'm.yaml', kind: 'manifest' as const, text },
    { file: 'Dockerfile', kind: 'dockerfile' as const, text },
  ];
  const result = lint(inputs, defaultSettings());
  for (const p of result.problems) {
    assert.notEqual(p.code, INTERNAL_ERROR, p.message);
    assert.match(p.code, KNOWN_CODES);
    assert.ok(p.line >= 1 && p.column >= 1, `${p.line}:${p.column}`);
  }
  for (const format of FORMATS) {
    const out = formatResult(result, format, { color: true, version: '0' });
    if (format === 'json' || format === 'sarif') JSON.parse(out);
  }
  const fixed = fixInputs(inputs, defaultSettings(), undefined, 6);
  const unparsed = result.problems.some((p) => p.code !== FIELD_TYPE_ERROR);
  if (unparsed) assert.equal(fixed.changed.has('m.yaml'), false, 'unparsable input is never fixed');
  const out = fixed.changed.get('m.yaml');
  if (out === undefined) return;
  // As strict as the input: no parse error, no duplicate key the input did not have.
  const before = strictErrors(text);
  const after = strictErrors(out);
  assert.deepEqual(after.other, [], out);
  assert.ok(after.duplicates <= before.duplicates, out);
  if (fixed.settled) {
    const again = fixInputs([{ file: 'm.yaml', kind: 'manifest', text: out }], defaultSettings(), undefined, 6);
    assert.equal(again.changed.size, 0, `a second fix changed:\n${out}`);
  }
}

test('every place of real manifests holding a value of any type: lint and fix never crash', () => {
  fc.assert(
    fc.property(
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), ANY_VALUE), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      (pick, sets, json) => {
        const object = MUTATOR.withValues(pick, sets);
        lintsOrReports(json ? JSON.stringify(object) : stringify(object));
      },
    ),
    { numRuns: 400 },
  );
});

test('without the type check in front, the model and every rule still read values of any type', () => {
  fc.assert(
    fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), ANY_VALUE), { minLength: 1, maxLength: 4 }), (pick, sets) => {
      const manifests = parseManifests(stringify(MUTATOR.withValues(pick, sets)), 'm.yaml');
      const parsed = { manifests: [manifests], dockerfiles: [], problems: [], mistyped: new Set<never>() };
      const result = lintParsed(parsed, defaultSettings());
      assert.deepEqual(
        result.problems.map((p) => p.message),
        [],
      );
    }),
    { numRuns: 400 },
  );
});

test('every place of real manifests holding YAML that plain data cannot write: lint and fix never crash', () => {
  fc.assert(
    fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), RAW_YAML), { minLength: 1, maxLength: 3 }), (pick, sets) => {
      const text = MUTATOR.withRawYaml(pick, sets);
      lintsOrReports(text);
    }),
    { numRuns: 300 },
  );
});

test('real manifests with text cut and inserted anywhere: lint and fix never crash', () => {
  fc.assert(
    fc.property(fc.nat(), fc.array(TEXT_CUT, { minLength: 1, maxLength: 6 }), (pick, mutations) => {
      const text = MUTATOR.withCuts(pick, mutations);
      lintsOrReports(text);
    }),
    { numRuns: 200 },
  );
});

test('arbitrary text: lint never crashes', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => lintsOrReports(text)),
    { numRuns: 300 },
  );
});

test('config: any YAML either loads or is a UserInputError', () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.constantFrom('profile', 'kubernetesVersion', 'marginSeconds', 'app', 'rules', 'dockerfiles', 'other'),
        fc.jsonValue(),
      ),
      (config) => {
        try {
          parseConfig(stringify(config), '.zerodrop.yaml', '/repo', '/repo');
        } catch (error) {
          assert.ok(error instanceof UserInputError, String(error));
        }
      },
    ),
    { numRuns: 300 },
  );
});
