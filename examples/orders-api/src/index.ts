// The orders service as a library: the routes, the store and the configuration, without any process wiring.
// `server.ts` wires them for Kubernetes; the "before" example wires the same code the naive way.
export { MAX_BODY_BYTES, ordersHandler, type RequestHandler } from './app.js';
export { type Config, ConfigError, listen, loadConfig, type Orders, openOrders, runMain } from './config.js';
export { type Database, type DatabaseOptions, openDatabase, prepareEmbeddedDatabase, snapshotPath } from './db.js';
export { type NewOrder, type Order, type OrderItem, OrderStore, parseNewOrder, ValidationError } from './orders.js';
