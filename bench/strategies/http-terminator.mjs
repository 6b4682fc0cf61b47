// http-terminator 3 with its default 1 s graceful termination timeout.
import { createHttpTerminator } from 'http-terminator';
import { createServer, listen } from './_shared.mjs';

const server = await listen(createServer(), import.meta.url);
const terminator = createHttpTerminator({ server });
process.on('SIGTERM', async () => {
  await terminator.terminate();
  process.exit(0);
});
