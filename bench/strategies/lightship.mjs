// lightship 9 (local mode: its own probe server on a random port, no shutdown delay), 10 s cap. The app port's
// /health/ready mirrors lightship's readiness.
import { createLightship } from 'lightship';
import { createServer, listen } from './_shared.mjs';

const lightship = await createLightship({
  detectKubernetes: false,
  gracefulShutdownTimeout: 10_000,
  shutdownHandlerTimeout: 10_000,
});
const server = createServer((path) =>
  path === '/health/ready' && (!lightship.isServerReady() || lightship.isServerShuttingDown()) ? 503 : undefined,
);
lightship.registerShutdownHandler(() => new Promise((resolve) => server.close(resolve)));
await listen(server, import.meta.url);
lightship.signalReady();
