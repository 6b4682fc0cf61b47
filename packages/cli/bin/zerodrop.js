#!/usr/bin/env node
import { main } from '../dist/src/main.js';
import { exitQuietlyOnClosedOutput, exitWhenFlushed } from '../dist/src/output.js';

exitQuietlyOnClosedOutput();
main(process.argv.slice(2)).then(
  // The command has finished its work and its cleanup (a rehearsal stops every replica before it resolves): exit
  // once the output is written, so that a handle a dependency left open cannot keep the CLI alive.
  (code) => exitWhenFlushed(code),
  (error) => {
    // Anything reaching here is a bug in zerodrop, not bad input: say so without hiding it.
    console.error(`zerodrop: internal error: ${error?.stack ?? error}`);
    exitWhenFlushed(2);
  },
);
