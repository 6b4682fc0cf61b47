import { createServer } from 'node:http';
import { listen, loadConfig, openOrders, ordersHandler, runMain } from '@zerodrop/example-orders-api';

/**
 * The same orders routes, wired the way many services start out: one `/health` answers both the liveness and the
 * readiness probe and asks the database, and nothing handles SIGTERM, so Node's default action ends the process at
 * once, whatever is in flight and whoever still routes to it.
 */
runMain(async () => {
  const config = loadConfig();
  const { db, store } = openOrders(config);
  await store.migrate();
  const orders = ordersHandler(store);
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      db.query('select 1').then(
        () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
        () => res.writeHead(503, { 'content-type': 'text/plain' }).end('database unreachable'),
      );
      return;
    }
    orders(req, res);
  });
  await listen(server, config.port);
});
