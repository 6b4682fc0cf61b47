// @zerodrop/graceful with no options in code: drain delay, deadline, prestop token, probe port and speed all come
// from the ZERODROP_* environment (ZERODROP_DRAIN_DELAY_MS, ZERODROP_SPEED, ZERODROP_PRESTOP_TOKEN, ...).
// Its probes (/health/live, /health/ready, /health/startup, /health/prestop) answer before the app's routes.
import { graceful } from '@zerodrop/graceful';
import { createServer, listen } from './_shared.mjs';

const server = createServer();
graceful(server);
await listen(server, import.meta.url);
