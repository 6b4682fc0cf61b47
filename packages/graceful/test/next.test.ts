// The preload on a real Next.js 16 app (examples/next-frontend, built once per run): a stock `next start` and a stock
// standalone server.js, no NEXT_MANUAL_SIG_HANDLE, no instrumentation file, as real processes under keep-alive load.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type App, freePort, get, sleep, startApp } from './support/child.js';
import { L4Proxy } from './support/l4-proxy.js';
import { Load } from './support/load.js';

const exampleDir = fileURLToPath(new URL('../../../../examples/next-frontend/', import.meta.url));
const replacement = fileURLToPath(new URL('./fixtures/preload-app.js', import.meta.url));
const customServer = fileURLToPath(new URL('../../test/fixtures/next-custom-server.mjs', import.meta.url));

interface Build {
  exampleDir: string;
  nextBin: string;
}
let build: Promise<Build> | undefined;
/** `next build` at most once per run, and only when the example changed since the last build. */
function built(): Promise<Build> {
  build ??= import(pathToFileURL(join(exampleDir, 'scripts', 'build.mjs')).href).then(
    (m: { ensureBuilt: () => Promise<Build> }) => m.ensureBuilt(),
  );
  return build;
}

type Variant = 'next start' | 'standalone' | 'custom server';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
let image: string | undefined;
/**
 * The runtime stage of examples/next-frontend/Dockerfile, laid out in a temporary folder outside the repository:
 * the standalone output and its static files, with @zerodrop/graceful copied into its node_modules (so the preload
 * resolves from there, as in the image, and from nowhere else).
 */
async function imageLayout(): Promise<string> {
  if (image) return image;
  const { exampleDir: example } = await built();
  const app = mkdtempSync(join(tmpdir(), 'zerodrop-next-image-'));
  process.once('exit', () => rmSync(app, { recursive: true, force: true }));
  cpSync(join(example, '.next', 'standalone'), app, { recursive: true, verbatimSymlinks: true });
  cpSync(join(example, '.next', 'static'), join(app, 'examples', 'next-frontend', '.next', 'static'), {
    recursive: true,
  });
  const graceful = join(app, 'node_modules', '@zerodrop', 'graceful');
  mkdirSync(dirname(graceful), { recursive: true });
  cpSync(join(packageDir, 'package.json'), join(graceful, 'package.json'));
  cpSync(join(packageDir, 'dist', 'src'), join(graceful, 'dist', 'src'), { recursive: true });
  image = app;
  return app;
}

/**
 * The replica keeps accepting this long after SIGTERM. The proxy moves new connections 300 ms after SIGTERM: the
 * margin covers a timer that fires late on a loaded machine (a late move would send new connections to a listener
 * that has closed, which is the preStop-too-short case, not what this test is about).
 */
const DRAIN_DELAY_MS = 2000;
/** The kubelet's SIGKILL comes this long after SIGTERM (a grace period, shortened for the test). */
const GRACE_MS = 6000;

/** `preload`: with @zerodrop/graceful (the preload for next start and standalone, graceful(server) in a custom server). */
async function startNext(variant: Variant, preload: boolean): Promise<App> {
  const { nextBin } = await built();
  const port = await freePort();
  const env: Record<string, string> = {
    NEXT_TELEMETRY_DISABLED: '1',
    HOSTNAME: '127.0.0.1',
    ZERODROP_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
  };
  // The preload exactly as an image sets it: NODE_OPTIONS, nothing in the app.
  if (preload) env.NODE_OPTIONS = '--import @zerodrop/graceful/register';
  if (variant === 'custom server') {
    // The app's own server: graceful(server) in code (no preload), or nothing at all.
    const fixture = { FIXTURE_NEXT_DIR: exampleDir, FIXTURE_GRACEFUL: preload ? '1' : '0' };
    delete env.NODE_OPTIONS;
    return startApp([customServer], { env: { ...env, ...fixture }, cwd: exampleDir, startTimeoutMs: 60_000 });
  }
  if (variant === 'next start') {
    return startApp([nextBin, 'start', '--hostname', '127.0.0.1'], {
      port,
      env,
      cwd: exampleDir,
      startTimeoutMs: 60_000,
    });
  }
  // As the image runs it: `node examples/next-frontend/server.js` from /app.
  const app = await imageLayout();
  return startApp(['examples/next-frontend/server.js'], { port, env, cwd: app, startTimeoutMs: 60_000 });
}

/**
 * One Next.js replica swapped behind an L4 proxy (kube-proxy pins keep-alive connections) under keep-alive load of
 * the page and a slow API route: SIGTERM at t0, new connections go to the next replica 300 ms later, SIGKILL at the
 * end of the grace period if the replica is still there.
 */
async function rollover(t: { after: (fn: () => unknown) => void }, variant: Variant, preload: boolean) {
  const [old, next] = await Promise.all([startNext(variant, preload), startApp([replacement])]);
  const proxy = await L4Proxy.start(old.port);
  t.after(async () => {
    await proxy.close();
    await Promise.all([old.kill(), next.kill()]);
  });
  // Warm the routes (Next loads each route's code on its first request).
  for (const path of ['/', '/api/hello', '/api/slow?ms=1'])
    assert.equal((await get(`http://127.0.0.1:${old.port}${path}`)).status, 200);
  const load = new Load({
    port: proxy.port,
    clients: 8,
    rate: 150,
    slowFraction: 0.2,
    slowMs: 300,
    slowPath: (ms) => `/api/slow?ms=${ms}`,
  }).start();
  await sleep(800);
  const sigtermAt = old.signal('SIGTERM');
  let movedAt = 0;
  setTimeout(() => {
    proxy.route(next.port);
    movedAt = Date.now();
  }, 300);
  const killed = await Promise.race([old.exited.then(() => false), sleep(GRACE_MS).then(() => true)]);
  if (killed) await old.kill();
  const exit = await old.exited;
  await sleep(300);
  const result = await load.stop();
  assert.ok(
    movedAt > 0 && movedAt - sigtermAt < DRAIN_DELAY_MS,
    `the proxy moved new connections ${movedAt - sigtermAt} ms after SIGTERM, not within the ${DRAIN_DELAY_MS} ms drain delay: the machine stalled the test`,
  );
  return { old, exit, killed, exitMs: exit.at - sigtermAt, result };
}

for (const variant of ['next start', 'standalone', 'custom server'] as const) {
  const how = variant === 'custom server' ? 'graceful(server)' : 'NODE_OPTIONS=--import @zerodrop/graceful/register';
  test(`Next.js ${variant}: drops requests on SIGTERM as it ships, none with ${how}`, async (t) => {
    const plain = await rollover(t, variant, false);
    assert.ok(plain.result.failed > 0, `${variant} without the preload dropped nothing: this test would prove nothing`);

    const { old, exit, killed, exitMs, result } = await rollover(t, variant, true);
    assert.equal(killed, false, `still running ${GRACE_MS} ms after SIGTERM:\n${old.output()}`);
    assert.equal(result.failed, 0, `${JSON.stringify(result.failures.slice(0, 5))}\n${old.output()}`);
    assert.ok(result.ok > 100, `only ${result.ok} responses`);
    assert.ok(exitMs >= DRAIN_DELAY_MS, `exited ${exitMs} ms after SIGTERM, before the drain delay`);
    if (variant === 'custom server') {
      // No Next.js signal handler in a custom server: graceful exits 0 once drained and app.close() ran.
      assert.equal(exit.code, 0, old.output());
      return;
    }
    const attached = old.lines.filter((l) => l.event === 'attached');
    assert.equal(attached.length, 1, 'said once what it attached to');
    assert.equal(attached[0]!.port, old.port);
    assert.equal(attached[0]!.chosenBy, '$PORT');
    // Next's own SIGTERM handler was held and ran after the drain; it exits 128 + 15 as it always does.
    const closed = old.lines.findIndex((l) => l.event === 'closed' && l.exitCode === 0);
    const delivered = old.lines.findIndex((l) => l.event === 'signal_delivered');
    assert.ok(closed >= 0 && delivered > closed, old.output());
    assert.equal(exit.code, 143);
    assert.ok(!/ERR_SERVER_NOT_RUNNING|Server is not running/.test(old.output()), "Next's server.close() waited");
  });
}

test('Next.js next start: probes answered by the preload, readiness 503 while draining, liveness 200', async (t) => {
  const app = await startNext('next start', true);
  t.after(() => app.kill());
  const url = (path: string) => `http://127.0.0.1:${app.port}${path}`;
  // Started once Next's own handler answered (it listens before it loads its routes).
  const warm = await app.waitFor((l) => l.event === 'warm', 30_000);
  assert.equal(warm.status, 200);
  await app.waitFor((l) => l.event === 'ready');
  assert.equal((await get(url('/health/ready'))).status, 200);
  assert.equal((await get(url('/health/startup'))).status, 200);
  const page = await get(url('/'));
  assert.equal(page.status, 200);
  assert.match(page.body, /Rendered at/);
  app.signal('SIGTERM');
  await app.waitFor((l) => l.event === 'draining');
  const ready = await get(url('/health/ready'));
  assert.equal(ready.status, 503);
  assert.equal(ready.headers.get('connection'), 'close');
  assert.equal((await get(url('/health/live'))).status, 200);
  assert.equal((await get(url('/api/hello'))).status, 200, 'still serving while draining');
  assert.equal((await app.exited).code, 143);
});
