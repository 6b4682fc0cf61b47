import { createServer } from 'node:http';
import { GracefulError, graceful, postgresCheck } from '@zerodrop/graceful';
import { ordersHandler } from './app.js';
import { ConfigError, listen, loadConfig, openOrders, runMain } from './config.js';

/**
 * The orders service as it should run on Kubernetes: probes for startup, readiness (database included) and a
 * shallow liveness, and a drain on termination that keeps serving, with `Connection: close`, until the clients
 * pinned to this replica have moved on. The timings come from the manifest's environment (ZERODROP_DRAIN_DELAY_MS,
 * ZERODROP_SHUTDOWN_TIMEOUT_MS) so that preStop, grace period and app agree.
 */
runMain(async () => {
  const config = loadConfig();
  const { db, store } = openOrders(config);
  const server = createServer(ordersHandler(store));
  try {
    graceful(server, {
      startup: () => store.migrate(),
      checks: { database: postgresCheck(db) },
      // The pool closes only once the last in-flight request has finished.
      onShutdown: { name: 'database', run: () => db.close() },
    });
  } catch (error) {
    if (error instanceof GracefulError && error.code === 'ERR_ZERODROP_OPTIONS') throw new ConfigError(error.message);
    throw error;
  }
  await listen(server, config.port);
});
