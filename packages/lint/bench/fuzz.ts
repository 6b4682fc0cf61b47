// The whole engine over real manifests made wrong: lint, every report format, and fix (checked, then fixed again) of
// each input; counts crashes, internal errors, unsafe and unsettled fixes.
// Run: npx tsc -b packages/lint && node packages/lint/dist/bench/fuzz.js [folders...] [--inputs N] [--seed S]
// Folders default to this repository's examples; the seed manifests of the tests are always included.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { defaultSettings } from '../src/config.js';
import { INTERNAL_ERROR, lint } from '../src/engine.js';
import { fixInputs } from '../src/fix.js';
import { FORMATS, formatResult } from '../src/reporters/index.js';
import { fixedTextProblem } from '../test/support/fix-checks.js';
import { ANY_VALUE, Mutator, RAW_YAML, TEXT_CUT } from '../test/support/mutations.js';
import { seedManifests, yamlFiles } from '../test/support/seeds.js';
import { numberOption } from './support.js';

const args = process.argv.slice(2);
const inputs = numberOption(args, 'inputs', 20_000);
const seed = numberOption(args, 'seed', 42);
const folders = args.length ? args : [new URL('../../../../examples', import.meta.url).pathname];

const texts = [
  ...seedManifests().map((s) => s.text),
  ...folders.flatMap((f) => yamlFiles(f)).map((path) => readFileSync(path, 'utf8')),
];
const mutator = new Mutator(texts);

const count = {
  inputs: 0,
  yamlDocuments: 0,
  findings: 0,
  crashes: 0,
  internalErrors: 0,
  fixedFiles: 0,
  unsafeFixes: 0,
  unsettledFixes: 0,
  secondRunChanges: 0,
};
const problemCodes = new Map<string, number>();
const examples: string[] = [];
const note = (what: string, text: string) => {
  if (examples.length < 5) examples.push(`${what}\n${text.slice(0, 400)}`);
  if (process.env.FUZZ_DUMP) writeFileSync(`${process.env.FUZZ_DUMP}-${examples.length}.yaml`, text);
};

function check(text: string): void {
  count.inputs++;
  count.yamlDocuments += text.split(/^---/m).length;
  const files = [
    { file: 'm.yaml', kind: 'manifest' as const, text },
    { file: 'Dockerfile', kind: 'dockerfile' as const, text },
  ];
  try {
    const result = lint(files, defaultSettings());
    count.findings += result.findings.length;
    for (const p of result.problems) {
      problemCodes.set(p.code, (problemCodes.get(p.code) ?? 0) + 1);
      if (p.code === INTERNAL_ERROR) {
        count.internalErrors++;
        note(`internal error: ${p.message}`, text);
      }
    }
    for (const format of FORMATS) formatResult(result, format, { color: false, version: '0' });
    const fixed = fixInputs(files, defaultSettings());
    if (!fixed.settled) count.unsettledFixes++;
    const out = fixed.changed.get('m.yaml');
    if (out === undefined) return;
    count.fixedFiles++;
    const replaced = (fixed.applied.get('m.yaml') ?? []).some((a) => a.startsWith('prestop-needs-shell'));
    const unsafe = fixedTextProblem(text, out, replaced);
    if (unsafe) {
      count.unsafeFixes++;
      note(`unsafe fix: ${unsafe}`, text);
    }
    if (fixInputs([{ file: 'm.yaml', kind: 'manifest', text: out }], defaultSettings()).changed.size > 0) {
      count.secondRunChanges++;
      note('a second fix changed the text', out);
    }
  } catch (error) {
    count.crashes++;
    note(`crash: ${(error as Error)?.stack ?? error}`, text);
  }
}

const start = performance.now();
// The real manifests as they are.
for (const text of texts) check(text);
// Then wrong ones: a third each of values of any type, YAML plain data cannot write, and text cut anywhere.
const third = Math.ceil(inputs / 3);
const values = fc.sample(fc.tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), ANY_VALUE), { minLength: 1, maxLength: 4 })), {
  seed,
  numRuns: third,
});
for (const [pick, sets] of values) check(stringify(mutator.withValues(pick, sets)));
const raw = fc.sample(fc.tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), RAW_YAML), { minLength: 1, maxLength: 3 })), {
  seed: seed + 1,
  numRuns: third,
});
for (const [pick, sets] of raw) check(mutator.withRawYaml(pick, sets));
const cuts = fc.sample(fc.tuple(fc.nat(), fc.array(TEXT_CUT, { minLength: 1, maxLength: 6 })), {
  seed: seed + 2,
  numRuns: inputs - 2 * third,
});
for (const [pick, edits] of cuts) check(mutator.withCuts(pick, edits));
const seconds = (performance.now() - start) / 1000;

console.log(`real manifests: ${texts.length} files (${mutator.documents.length} documents) from ${folders.join(', ')}`);
console.log(`${count.inputs} inputs (${count.yamlDocuments} YAML documents), seed ${seed}, ${seconds.toFixed(0)} s`);
for (const [key, value] of Object.entries(count)) console.log(`  ${key.padEnd(18)} ${value}`);
console.log('input problems by code:');
for (const [code, n] of [...problemCodes].sort((a, b) => b[1] - a[1])) console.log(`  ${code.padEnd(36)} ${n}`);
for (const example of examples) console.log(`\n${example}`);
const bad = count.crashes + count.internalErrors + count.unsafeFixes + count.secondRunChanges;
process.exitCode = bad > 0 ? 1 : 0;
