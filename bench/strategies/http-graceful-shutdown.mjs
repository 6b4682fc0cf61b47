// http-graceful-shutdown 4 with a 10 s timeout.
import gracefulShutdown from 'http-graceful-shutdown';
import { createServer, listen } from './_shared.mjs';

const server = await listen(createServer(), import.meta.url);
gracefulShutdown(server, { signals: 'SIGINT SIGTERM', timeout: 10_000 });
