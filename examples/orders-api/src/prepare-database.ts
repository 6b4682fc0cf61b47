// `npm run prepare-database -w examples/orders-api`: makes the embedded database's snapshot once, so that replicas
// started later (a rehearsal starts several at once) boot in well under a second instead of running initdb.
import { prepareEmbeddedDatabase } from './db.js';

const started = performance.now();
const { snapshot, created, saved } = await prepareEmbeddedDatabase();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (!saved) {
  console.error(`orders-api: could not write the database snapshot ${snapshot}; every start will run initdb`);
  process.exit(1);
}
console.log(`orders-api: database snapshot ${created ? 'made' : 'ready'} in ${seconds} s: ${snapshot}`);
