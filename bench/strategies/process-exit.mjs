// process.exit(0) on SIGTERM: everything in flight and every open connection is cut.
import { createServer, listen } from './_shared.mjs';

await listen(createServer(), import.meta.url);
process.on('SIGTERM', () => process.exit(0));
