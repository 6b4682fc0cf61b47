// stoppable 1.1 with a 10 s grace.
import stoppable from 'stoppable';
import { createServer, listen } from './_shared.mjs';

const server = stoppable(createServer(), 10_000);
await listen(server, import.meta.url);
process.on('SIGTERM', () => server.stop(() => process.exit(0)));
