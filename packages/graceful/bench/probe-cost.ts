// Probe cost: requests/s of `/health/ready` (cached checks) served by graceful vs a bare node:http handler, and
// the cost of the interception on ordinary app requests. Server in its own process; the client is a minimal
// keep-alive load generator over raw sockets, so the server (not the client) is the bottleneck.
// Usage: node packages/graceful/dist/bench/probe-cost.js [--seconds 5] [--rounds 3] [--connections 50]
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type App, startApp } from '../test/support/child.js';

const server = fileURLToPath(new URL('./probe-server.js', import.meta.url));

/** Closed loop: each connection sends the next request as soon as the previous response is complete. */
async function hammer(port: number, path: string, connections: number, ms: number): Promise<number> {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nhost: localhost\r\n\r\n`);
  let completed = 0;
  let running = true;
  const sockets = await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  for (const socket of sockets) {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const declared = /content-length: *(\d+)/i.exec(head)?.[1];
        // Counting needs framed responses; a chunked one would be miscounted.
        if (declared === undefined) throw new Error(`response without content-length: ${head}`);
        const length = Number(declared);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        completed++;
        if (running) socket.write(request);
      }
    });
    socket.write(request);
  }
  await new Promise((resolve) => setTimeout(resolve, ms));
  running = false;
  const rate = (completed * 1000) / ms;
  for (const socket of sockets) socket.destroy();
  return rate;
}

async function measure(app: App, path: string, connections: number, seconds: number): Promise<number> {
  await hammer(app.port, path, connections, 500); // warm-up (JIT, check cache)
  return hammer(app.port, path, connections, seconds * 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const connections = Number(values.connections);
  const cases = [
    { label: '`/health/ready`', path: '/health/ready' },
    { label: 'app route `/` (interception overhead)', path: '/' },
  ];
  const rows: string[] = [];
  for (const { label, path } of cases) {
    const bare: number[] = [];
    const zerodrop: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate, so drift of the machine hits both sides alike.
      for (const [mode, results] of [
        ['bare', bare],
        ['graceful', zerodrop],
      ] as const) {
        const app = await startApp([server, mode]);
        try {
          results.push(await measure(app, path, connections, seconds));
        } finally {
          await app.kill();
        }
      }
      console.error(
        `${label} round ${round + 1}: bare ${Math.round(bare.at(-1)!)} req/s, graceful ${Math.round(zerodrop.at(-1)!)} req/s`,
      );
    }
    const b = median(bare);
    const g = median(zerodrop);
    rows.push(
      `| ${label} | ${Math.round(b).toLocaleString('en')} | ${Math.round(g).toLocaleString('en')} | ${((g / b) * 100).toFixed(1)}% |`,
    );
  }
  console.log(
    [
      `| request (${connections} keep-alive connections, median of ${rounds} × ${seconds} s) | bare node:http handler (req/s) | with @zerodrop/graceful (req/s) | ratio |`,
      '| --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
}

await main();
