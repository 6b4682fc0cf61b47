import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifests } from '@zerodrop/core';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { defaultSettings, parseConfig } from '../src/config.js';
import { FIELD_TYPE_ERROR, INTERNAL_ERROR, lint, lintParsed } from '../src/engine.js';
import { UserInputError } from '../src/errors.js';
import { fixInputs } from '../src/fix.js';
import { FORMATS, formatResult } from '../src/reporters/index.js';
import { seedManifests } from './support/seeds.js';

const SEEDS = seedManifests();
/** Every yaml document of the seeds as plain data. */
const SEED_DOCUMENTS: unknown[] = SEEDS.flatMap(({ text }) =>
  (parseAllDocuments(text) as { toJS(): unknown; errors: unknown[] }[])
    .filter((d) => d.errors.length === 0)
    .map((d) => d.toJS()),
).filter((d) => typeof d === 'object' && d !== null);

type Path = (string | number)[];

/** Every place in a value: each map key, each list item, the fields inside them. */
function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : [];
  for (const [k, v] of entries) {
    out.push([...at, k]);
    pathsOf(v, [...at, k], out);
  }
  return out;
}

const PATHS = SEED_DOCUMENTS.map((d) => pathsOf(d));

const own = (entries: [string, unknown][]) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  return out;
};

/** A deep copy that keeps own keys such as `__proto__` as data (values are shared between runs and paths). */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (typeof value !== 'object' || value === null) return value;
  return own(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
}

/** Sets a value at a path as an own property, `__proto__` included. */
function setIn(root: unknown, path: Path, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]!];
    if (typeof next !== 'object' || next === null) return;
    node = next as Record<string | number, unknown>;
  }
  Object.defineProperty(node, path[path.length - 1]!, {
    value: clone(value),
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** Values that have broken code that trusted manifests, and values of every type. */
const ANY_VALUE = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      own([['toString', 1]]),
      own([['valueOf', {}]]),
      own([['__proto__', { polluted: true }]]),
      own([['constructor', 'x']]),
      own([
        ['hasOwnProperty', 1],
        ['toJSON', 2],
      ]),
      [[[]]],
      '',
      ' ',
      '8080',
      '25%',
      '150%',
      '-1',
      -1,
      0,
      1.5,
      1e308,
      2 ** 53 + 2,
      'latest',
      'http',
      'sleep 5',
      '/ready',
      ['sh', '-c', 'npm start'],
      { sleep: { seconds: 'x' } },
      { exec: { command: 'sleep 5' } },
      { httpGet: { path: 8080, port: { a: 1 } } },
      { grpc: { port: '9', service: 7 } },
      { matchLabels: [1], matchExpressions: { key: 1 } },
    ),
  },
);

/** YAML that plain data cannot express: tags, anchors, aliases, merge keys, odd scalars. */
const RAW_YAML = fc.constantFrom(
  '!!binary aGVsbG8=',
  '!!set {a, b}',
  '!!omap [a: 1, b: 2]',
  '!custom {a: 1}',
  '2001-12-14t21:59:43.10-05:00',
  '.inf',
  '.nan',
  '~',
  '0x1F',
  '[a: 1, b]',
  '{? [x]: y}',
  '&shared {k: v}',
  '*shared',
  '*nowhere',
  '{<<: {a: 1}, b: 2}',
  '{<<: [1, 2]}',
  '"{{ .Values.x }}"',
  '{{ cell }}',
  '!!str 123',
  '!!int "12"',
);

const KNOWN_CODES = /^ERR_ZERODROP_/;

function strictErrors(text: string): { duplicates: number; other: string[] } {
  const errors = (
    parseAllDocuments(text, { uniqueKeys: true }) as { errors: { code: string; message: string }[] }[]
  ).flatMap((d) => d.errors);
  return {
    duplicates: errors.filter((e) => e.code === 'DUPLICATE_KEY').length,
    other: errors.filter((e) => e.code !== 'DUPLICATE_KEY').map((e) => e.message),
  };
}

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

/** A seed document with each value of `sets` written at one of its places. */
function withValues(pick: number, sets: [number, unknown][]): unknown {
  const index = pick % SEED_DOCUMENTS.length;
  const object = clone(SEED_DOCUMENTS[index]);
  const paths = PATHS[index]!;
  for (const [at, value] of sets) if (paths.length) setIn(object, paths[at % paths.length]!, value);
  return object;
}

test('every place of real manifests holding a value of any type: lint and fix never crash', () => {
  fc.assert(
    fc.property(
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), ANY_VALUE), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      (pick, sets, json) => {
        const object = withValues(pick, sets);
        lintsOrReports(json ? JSON.stringify(object) : stringify(object));
      },
    ),
    { numRuns: 400 },
  );
});

test('without the type check in front, the model and every rule still read values of any type', () => {
  fc.assert(
    fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), ANY_VALUE), { minLength: 1, maxLength: 4 }), (pick, sets) => {
      const manifests = parseManifests(stringify(withValues(pick, sets)), 'm.yaml');
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
      // Placeholders written as plain data, replaced by the raw YAML in the text.
      const object = withValues(
        pick,
        sets.map(([at], i) => [at, `RAW${i}PLACEHOLDER`]),
      );
      const text = sets.reduce((t, [, snippet], i) => t.replace(`RAW${i}PLACEHOLDER`, snippet), stringify(object));
      lintsOrReports(text);
    }),
    { numRuns: 300 },
  );
});

const mutation = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6 }));

test('real manifests with text cut and inserted anywhere: lint and fix never crash', () => {
  fc.assert(
    fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), (pick, mutations) => {
      let text = SEEDS[pick % SEEDS.length]!.text;
      for (const [at, remove, insert] of mutations) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + insert + text.slice(i + remove);
      }
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
