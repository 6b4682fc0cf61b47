#!/usr/bin/env node
import { main } from '../dist/src/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    // The command has finished its work and its cleanup (a rehearsal stops every replica before it resolves), so
    // exit now: a handle left open by a dependency must not keep the CLI alive after its result is written.
    process.exit(code);
  },
  (error) => {
    // Anything reaching here is a bug in zerodrop, not bad input: say so without hiding it.
    console.error(`zerodrop: internal error: ${error?.stack ?? error}`);
    process.exit(2);
  },
);
