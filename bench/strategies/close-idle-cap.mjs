// The widely shared snippet: server.close(), closeIdleConnections(), and a hard cap (10 s, exit 1).
import { createServer, listen } from './_shared.mjs';

const server = await listen(createServer(), import.meta.url);
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
});
