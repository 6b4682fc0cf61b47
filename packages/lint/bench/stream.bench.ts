// zerodrop lint on a `helm template`-like stream of real manifests, against yaml's own parse of the same text, in the
// same run; and its memory on a 36 MB stream.
// Run: npx tsc -b packages/lint && node packages/lint/dist/bench/stream.bench.js <folders of manifests...>
//      [--objects 10000] [--rounds 7] [--memory-mb 36]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withPlainEnv } from '@zerodrop/core';
import { Parser, parseAllDocuments } from 'yaml';
import { defaultSettings } from '../src/config.js';
import { lint } from '../src/engine.js';
import { buildStream } from './stream.js';
import { interleaved, median, numberOption, ratioText, type Variant } from './support.js';

const args = process.argv.slice(2);
const objects = numberOption(args, 'objects', 10_000);
const rounds = numberOption(args, 'rounds', 7);
const memoryMb = numberOption(args, 'memory-mb', 36);
if (args.length === 0) {
  console.error('usage: stream.bench.js <folders of real manifests...> [--objects N] [--rounds N] [--memory-mb N]');
  process.exit(2);
}

const text = buildStream(args, { objects });
const settings = defaultSettings();

const variants: Variant[] = [
  {
    name: 'yaml Parser only (CST)',
    run: () => {
      for (const _ of new Parser().parse(text));
    },
  },
  { name: 'yaml parseAllDocuments', run: () => parseAllDocuments(text) },
  { name: 'parseAllDocuments, env lookup off', run: () => withPlainEnv(() => parseAllDocuments(text)) },
  { name: 'zerodrop lint', run: () => lint([{ file: 'stream.yaml', kind: 'manifest', text }], settings) },
];

const samples = interleaved(variants, rounds);
const findings = lint([{ file: 'stream.yaml', kind: 'manifest', text }], settings).findings.length;
console.log(
  `stream: ${objects} objects, ${(text.length / 1024 / 1024).toFixed(1)} MiB, ${findings} findings; ${rounds} interleaved rounds`,
);
variants.forEach((v, i) => {
  const s = samples[i]!;
  const rate = (ms: number) => Math.round(objects / (ms / 1000)).toLocaleString('en-US');
  console.log(
    `${v.name.padEnd(36)} min ${Math.min(...s)
      .toFixed(0)
      .padStart(6)} ms  median ${median(s).toFixed(0).padStart(6)} ms  ${rate(Math.min(...s)).padStart(7)} objects/s`,
  );
});
const ratio = (a: number, b: number) => ratioText(samples[a]!, samples[b]!);
console.log(`lint / yaml parseAllDocuments:        ${ratio(3, 1)}  (goal <= 1.3x)`);
console.log(`lint / parse with env lookup off:     ${ratio(3, 2)}`);
console.log(`lint / yaml Parser only (CST floor):  ${ratio(3, 0)}`);

// Memory: a stream of `memoryMb` MB, in processes of their own.
const dir = mkdtempSync(join(tmpdir(), 'zerodrop-stream-'));
try {
  const big = buildStream(args, { bytes: memoryMb * 1024 * 1024 });
  const file = join(dir, 'stream.yaml');
  writeFileSync(file, big);
  const child = new URL('./memory-child.js', import.meta.url).pathname;
  const inputMiB = big.length / 1024 / 1024;
  console.log(
    `\nmemory, ${inputMiB.toFixed(1)} MiB stream (${big.split('\n---\n').length} objects); budget 3 x input + 100 MiB = ${Math.round(3 * inputMiB + 100)} MiB`,
  );
  const modes = {
    lint: 'zerodrop lint --format json',
    parse: 'its parse alone (parseInputs, no text kept)',
    'yaml-documents': 'yaml parseAllDocuments, kept',
  };
  for (const [mode, name] of Object.entries(modes)) {
    const run = spawnSync(process.execPath, ['--expose-gc', child, mode, file], { encoding: 'utf8' });
    const measured = run.status === 0 ? run.stdout.trim() : `failed: ${run.stderr.split('\n')[0]}`;
    console.log(`${name.padEnd(36)} ${measured}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
