#!/usr/bin/env node
import { main } from '../dist/src/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // Anything reaching here is a bug in zerodrop, not bad input: say so without hiding it.
    console.error(`zerodrop: internal error: ${error?.stack ?? error}`);
    process.exitCode = 2;
  },
);
