// @godaddy/terminus with its own health checks (which answer 503 on both paths while shutting down).
import { createTerminus } from '@godaddy/terminus';
import { createServer, listen } from './_shared.mjs';

const server = createServer();
createTerminus(server, {
  signals: ['SIGTERM', 'SIGINT'],
  healthChecks: { '/health/live': async () => {}, '/health/ready': async () => {} },
  onSignal: async () => {},
});
await listen(server, import.meta.url);
