// One measured run, in a process of its own: `zerodrop lint --format json > /dev/null` on one file (read when the
// parse reaches it, lint for a report, the report written in pieces), its parse alone, or for comparison yaml's
// parseAllDocuments keeping every Document (what lint did before it read documents one at a time). Prints peak RSS
// and the heap left after a full collection with the result kept (for lint: the findings and problems).
// Run by stream.bench.js: node --expose-gc dist/bench/memory-child.js <lint|parse|yaml-documents> <file>
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { defaultSettings } from '../src/config.js';
import { type LintResult, lintForReport, parseInputs } from '../src/engine.js';
import { readInput } from '../src/files.js';
import { collectOften, favorMemory } from '../src/heap.js';
import { formatChunks, joinedChunks } from '../src/reporters/index.js';

const [mode, file] = process.argv.slice(2) as [string, string];
let kept: unknown;
if (mode === 'lint') {
  collectOften();
  // As the CLI does: the file is read when the parse asks for it, and its text let go once parsed.
  const result: LintResult = lintForReport(
    (function* () {
      yield readInput(file);
    })(),
    defaultSettings(),
    undefined,
    { afterParse: favorMemory },
  );
  // Written as the CLI writes it: the pieces joined into writes of about 32 Ki characters.
  const out = openSync('/dev/null', 'w');
  for (const piece of joinedChunks(formatChunks(result, 'json', { color: false, version: '0' }))) writeSync(out, piece);
  closeSync(out);
  kept = result;
} else if (mode === 'parse') {
  kept = parseInputs([readInput(file)], { keepText: false });
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
