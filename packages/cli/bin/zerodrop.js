#!/usr/bin/env node
import { main } from '../dist/src/main.js';
import { exitQuietlyOnClosedOutput, exitWhenFlushed } from '../dist/src/output.js';

exitQuietlyOnClosedOutput();
let settled = false;
// Node ends a process whose event loop has nothing left, even while a promise is still awaited: a command still
// running then waits on something that can no longer happen. That is a bug in zerodrop; never a silent exit 0.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  console.error(
    'zerodrop: internal error: the command stopped half-way, waiting on something that can no longer happen ' +
      '(nothing was left running to finish it). Please report it with the command line.',
  );
  exitWhenFlushed(2);
});
main(process.argv.slice(2)).then(
  // The command has finished its work and its cleanup (a rehearsal stops every replica before it resolves): exit
  // once the output is written, so that a handle a dependency left open cannot keep the CLI alive.
  (code) => {
    settled = true;
    exitWhenFlushed(code);
  },
  (error) => {
    settled = true;
    // Anything reaching here is a bug in zerodrop, not bad input: say so without hiding it.
    console.error(`zerodrop: internal error: ${error?.stack ?? error}`);
    exitWhenFlushed(2);
  },
);
