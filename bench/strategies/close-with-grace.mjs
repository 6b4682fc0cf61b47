// close-with-grace 2 with its default 10 s delay (exit 1 when it runs out).
import closeWithGrace from 'close-with-grace';
import { createServer, listen } from './_shared.mjs';

const server = await listen(createServer(), import.meta.url);
closeWithGrace({ delay: 10_000 }, () => new Promise((resolve) => server.close(resolve)));
