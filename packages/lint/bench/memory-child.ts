// One measured run, in a process of its own: `zerodrop lint --format json > /dev/null` on one file (read, lint, the
// report written in pieces), its parse alone, or for comparison yaml's parseAllDocuments keeping every Document (what
// lint did before it read documents one at a time). Prints peak RSS and the heap left after a full collection.
// Run by stream.bench.js: node --expose-gc dist/bench/memory-child.js <lint|parse|yaml-documents> <file>
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { defaultSettings } from '../src/config.js';
import { lint, parseInputs } from '../src/engine.js';
import { readInput } from '../src/files.js';
import { formatChunks } from '../src/reporters/index.js';

const [mode, file] = process.argv.slice(2) as [string, string];
let kept: unknown;
if (mode === 'lint') {
  const result = lint([readInput(file)], defaultSettings());
  // As the CLI does: a report needs a fix's description only, and the parsed manifests can go.
  for (const finding of result.findings)
    if (finding.fix) finding.fix = { description: finding.fix.description, edits: [] };
  const out = openSync('/dev/null', 'w');
  for (const chunk of formatChunks(result, 'json', { color: false, version: '0' })) writeSync(out, chunk);
  closeSync(out);
  kept = result;
} else if (mode === 'parse') {
  kept = parseInputs([readInput(file)]);
} else {
  kept = parseAllDocuments(readFileSync(file, 'utf8'));
}
(globalThis as { gc?: () => void }).gc?.();
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
console.log(
  JSON.stringify({
    peakRssMiB: mb(process.resourceUsage().maxRSS * 1024),
    heapAfterGcMiB: mb(process.memoryUsage().heapUsed),
    kept: kept !== undefined,
  }),
);
