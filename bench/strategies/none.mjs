// No SIGTERM handler: Node's default action kills the process at once.
import { createServer, listen } from './_shared.mjs';

await listen(createServer(), import.meta.url);
