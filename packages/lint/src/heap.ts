import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * How much V8 lets the old generation grow past what the last full collection kept before it collects again, in
 * percent, for a process that lints a large input for a report.
 */
export const REPORT_HEAP_GROWING_PERCENT = 10;

/**
 * Makes V8 collect the old generation once it has grown by about a tenth (or a few MiB) past what the last full
 * collection kept, instead of letting it grow to up to four times that. A report run keeps little (the findings; the
 * text and the parse are garbage as soon as they are read) but allocates a lot: with V8's own heuristics the heap
 * of a 36 MiB stream is collected twice in all, the second time at about 160 MiB. Measured on that stream, a run
 * makes 8 full collections instead of 2 and peaks 30–40 MiB lower (the lint README, "Memory at 36 MB"). For a
 * process of its own (the CLI's lint command): the setting is V8's, for the whole process, and stays for its rest.
 */
export function collectOften(): void {
  setFlagsFromString(`--heap-growing-percent=${REPORT_HEAP_GROWING_PERCENT}`);
}

/**
 * Makes V8 favour memory over speed (`--optimize-for-size`): its young generation shrinks from 32 MiB to a few, and
 * each full collection compacts. For the part of a report run after the parse (the model, the rules, the report):
 * the parse allocates its plain data at a pace a small young generation would slow down by a third, while the rules
 * allocate little that lives. It then collects the whole heap at once: the text just parsed (36 MiB for the stream
 * below) is freed now instead of at the next full collection, which would come only after the model had grown the
 * heap by another tenth, with the large young generation still there. Measured on the 36 MiB stream (the lint
 * README, "Memory at 36 MB"): the CLI peaks 20-30 MiB lower, in a time within the noise of the runs. Like
 * collectOften, for a process of its own: the setting stays for its rest.
 */
export function favorMemory(): void {
  setFlagsFromString('--optimize-for-size');
  collectNow();
}

/** A full collection, through the `gc` function V8 gives every context made once `--expose-gc` is set. */
function collectNow(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
