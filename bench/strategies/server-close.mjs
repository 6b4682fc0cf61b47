// server.close() on SIGTERM, exit when it calls back. No cap: it waits as long as keep-alive clients keep sending.
import { createServer, listen } from './_shared.mjs';

const server = await listen(createServer(), import.meta.url);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
