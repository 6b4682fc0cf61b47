// lightship 9: its own probe server on a random port (several replicas run side by side), no shutdown delay of its
// own (the preStop sleep covers it), 10 s cap. The app port's /health/ready mirrors lightship's readiness.
import { createLightship } from 'lightship';
import { createServer, listen } from './_shared.mjs';

const lightship = await createLightship({
  detectKubernetes: false,
  port: 0,
  shutdownDelay: 0,
  gracefulShutdownTimeout: 10_000,
  shutdownHandlerTimeout: 10_000,
});
const server = createServer((path) =>
  path === '/health/ready' && (!lightship.isServerReady() || lightship.isServerShuttingDown()) ? 503 : undefined,
);
lightship.registerShutdownHandler(() => new Promise((resolve) => server.close(resolve)));
await listen(server, import.meta.url);
lightship.signalReady();
