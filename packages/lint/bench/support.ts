import { performance } from 'node:perf_hooks';

/** `--name value` taken out of `args`, as a number; `fallback` when absent. */
export function numberOption(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args.splice(at, 2)[1]);
}

export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export interface Variant {
  name: string;
  run: () => void;
}

/**
 * Runs each variant once to warm up, then `rounds` rounds of every variant in a rotating order: the machine's load
 * changes over a run, and paired ratios (two variants of the same round) cancel most of it. Milliseconds per variant.
 */
export function interleaved(variants: readonly Variant[], rounds: number): number[][] {
  for (const v of variants) v.run();
  const samples = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const index = (r + k) % variants.length;
      const start = performance.now();
      variants[index]!.run();
      samples[index]!.push(performance.now() - start);
    }
  }
  return samples;
}

/** `a` against `b`: the ratio of their fastest runs, and the median of the ratios of the same rounds. */
export function ratioText(a: readonly number[], b: readonly number[]): string {
  const paired = a.map((ms, r) => ms / b[r]!);
  return `${(Math.min(...a) / Math.min(...b)).toFixed(2)}x (min / min), ${median(paired).toFixed(2)}x (median of paired rounds)`;
}
