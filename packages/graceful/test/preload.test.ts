import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, get, sleep, startApp } from './support/child.js';
import { L4Proxy } from './support/l4-proxy.js';
import { Load } from './support/load.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const esmApp = join(fixtures, 'preload-app.js');
const cjsApp = join(fixtures, 'preload-app.cjs');
const checksModule = fileURLToPath(new URL('../../test/fixtures/checks.mjs', import.meta.url));
const notChecks = fileURLToPath(new URL('../../test/fixtures/not-checks.mjs', import.meta.url));
const IMPORT = ['--import', '@zerodrop/graceful/register'];
const REQUIRE = ['--require', '@zerodrop/graceful/register'];

/**
 * One replica swapped behind an L4 proxy under keep-alive load with 20 % slow requests: SIGTERM at t0, the proxy
 * sends new connections elsewhere 300 ms later. Returns the failed requests and the replica's exit.
 */
async function rollover(t: { after: (fn: () => unknown) => void }, args: string[], env: Record<string, string> = {}) {
  const [old, next] = await Promise.all([startApp(args, { env }), startApp([esmApp])]);
  const proxy = await L4Proxy.start(old.port);
  t.after(async () => {
    await proxy.close();
    await Promise.all([old.kill(), next.kill()]);
  });
  const load = new Load({ port: proxy.port, clients: 8, rate: 200, slowFraction: 0.2, slowMs: 300 }).start();
  await sleep(600);
  const sigtermAt = old.signal('SIGTERM');
  setTimeout(() => proxy.route(next.port), 300);
  const exit = await old.exited;
  await sleep(300);
  const result = await load.stop();
  return { old, exit, sigtermAt, result };
}

test('--import: a server the app owns, whose own SIGTERM handler exits at once, drains with zero failures', async (t) => {
  const plain = await rollover(t, [esmApp]);
  assert.ok(plain.result.failed > 0, 'without the preload the app drops requests (or this test proves nothing)');

  // 2 s of draining: the proxy's move 300 ms after SIGTERM stays inside it even when a loaded machine fires it late.
  const { old, exit, result } = await rollover(t, [...IMPORT, esmApp], { ZERODROP_DRAIN_DELAY_MS: '2000' });
  assert.equal(result.failed, 0, JSON.stringify(result.failures.slice(0, 5)));
  assert.ok(result.ok > 100);
  const attached = await old.waitFor((l) => l.event === 'attached');
  assert.equal(attached.server, 'http.Server');
  assert.equal(attached.chosenBy, 'the first HTTP server', 'PORT=0: the first HTTP server');
  // The app's own handler ran, after the drain, and decided the exit code.
  const closed = old.lines.findIndex((l) => l.event === 'closed');
  const handler = old.lines.findIndex((l) => l.fixture === 'app_signal_handler');
  assert.ok(closed >= 0 && handler > closed, `the app's SIGTERM handler ran after the drain:\n${old.output()}`);
  assert.ok(
    old.lines.some((l) => l.fixture === 'app_server_closed'),
    "the app's server.close() callback ran",
  );
  assert.equal(exit.code, 143);
  assert.equal(old.lines.filter((l) => l.event === 'attached').length, 1, 'said once what it attached to');
});

test('NODE_OPTIONS=--import and --require (CommonJS): attached, probes answered, exit 0 after the drain', async (t) => {
  for (const [name, args, env] of [
    ['NODE_OPTIONS', [cjsApp], { NODE_OPTIONS: '--import @zerodrop/graceful/register' }],
    ['--require', [...REQUIRE, cjsApp], {}],
  ] as const) {
    const app = await startApp([...args], { env: { ...env, ZERODROP_DRAIN_DELAY_MS: '100' } });
    t.after(() => app.kill());
    await app.waitFor((l) => l.event === 'attached');
    // Started once the app's handler answered the warm-up request.
    await app.waitFor((l) => l.event === 'ready');
    const ready = await get(`http://127.0.0.1:${app.port}/health/ready`);
    assert.equal(ready.status, 200, name);
    assert.equal(JSON.parse(ready.body).status, 'ok', name);
    assert.equal((await get(`http://127.0.0.1:${app.port}/`)).body, 'ok', name);
    app.signal('SIGTERM');
    assert.equal((await app.exited).code, 0, `${name}:\n${app.output()}`);
  }
});

test('attaches to the server on $PORT, not to one that listened before on another port', async (t) => {
  const port = await freePort();
  const app = await startApp([...IMPORT, esmApp], { env: { PORT: String(port), FIXTURE_EXTRA_SERVER: '1' } });
  t.after(() => app.kill());
  const attached = await app.waitFor((l) => l.event === 'attached');
  assert.equal(attached.port, port);
  assert.equal(attached.chosenBy, '$PORT');
  assert.equal((await get(`http://127.0.0.1:${port}/health/live`)).status, 200);
  const extra = await get(`http://127.0.0.1:${app.announce.extra}/health/live`);
  assert.equal(extra.body, 'extra', 'the other server is left alone');
});

test('nothing listens on $PORT: a warning names the servers seen, and the process is left as it was', async (t) => {
  const port = await freePort();
  const app = await startApp([...IMPORT, esmApp], {
    env: { PORT: '0', ZERODROP_PORT: String(port), ZERODROP_ATTACH_TIMEOUT_MS: '300' },
  });
  t.after(() => app.kill());
  const warning = await app.waitFor((l) => l.event === 'not_attached');
  assert.equal(warning.level, 'warn');
  assert.equal(warning.port, port);
  assert.match(String(warning.msg), /ZERODROP_PORT/);
  assert.equal((warning.seen as string[]).length, 1);
  assert.equal((await get(`http://127.0.0.1:${app.port}/health/live`)).body, 'ok', 'no probes: the app answers');
  app.signal('SIGTERM');
  const exit = await app.exited;
  assert.equal(exit.code, 143, "not attached: the app's own handler runs at once");
  assert.ok(!app.lines.some((l) => l.event === 'draining'));
});

test('ZERODROP_CHECKS: readiness checks and a cleanup hook from a module, no code change', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-preload-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const down = join(dir, 'down');
  writeFileSync(down, '');
  const app = await startApp([...IMPORT, esmApp], {
    env: { ZERODROP_CHECKS: checksModule, FIXTURE_DOWN: down, ZERODROP_DRAIN_DELAY_MS: '100' },
  });
  t.after(() => app.kill());
  const url = `http://127.0.0.1:${app.port}/health/ready`;
  let ready = await get(url);
  for (let i = 0; i < 50 && JSON.parse(ready.body).status === 'starting'; i++) {
    await sleep(20);
    ready = await get(url);
  }
  assert.equal(ready.status, 503);
  assert.deepEqual(JSON.parse(ready.body).checks, { upstream: { status: 'fail' } });
  rmSync(down);
  await sleep(1100); // the check cache
  assert.equal((await get(url)).status, 200);
  app.signal('SIGTERM');
  await app.exited;
  const hook = app.lines.findIndex((l) => l.fixture === 'hook' && l.name === 'flush');
  const closing = app.lines.findIndex((l) => l.event === 'closing');
  assert.ok(hook > closing && closing >= 0, 'the hook ran after the drain');
});

test("started only once the app's own handler answers: a server that listens before it can serve is not ready early", async (t) => {
  const app = await startApp([...IMPORT, esmApp], { env: { FIXTURE_WARMUP_MS: '800' } });
  t.after(() => app.kill());
  const url = (path: string) => `http://127.0.0.1:${app.port}${path}`;
  const early = await get(url('/health/startup'));
  assert.equal(early.status, 503, 'not started while the app answers 503');
  assert.equal((await get(url('/health/ready'))).status, 503);
  const warm = await app.waitFor((l) => l.event === 'warm', 5000);
  assert.equal(warm.status, 200);
  assert.equal(warm.path, '/');
  assert.ok((warm.ms as number) >= 700, `warm after ${warm.ms} ms`);
  assert.ok(
    app.lines.some((l) => l.fixture === 'not_yet'),
    'the warm-up asked while the app was not serving',
  );
  assert.equal((await get(url('/health/startup'))).status, 200);
  assert.equal((await get(url('/health/ready'))).status, 200);
});

test('the preStop hook drains, then SIGTERM arrives while the process exits: exit 0, never killed by it', async (t) => {
  // The kubelet sends SIGTERM the moment the hook answers, which is also when a drained process exits.
  const runs = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const app = await startApp([...IMPORT, esmApp], {
        env: { ZERODROP_PROBE_PORT: '0', ZERODROP_DRAIN_DELAY_MS: '200', ZERODROP_WARMUP_PATH: 'off' },
      });
      t.after(() => app.kill());
      const probe = await app.waitFor((l) => l.event === 'probe_listening');
      const hook = await get(`http://127.0.0.1:${probe.port}/health/prestop`);
      assert.equal(hook.status, 200);
      app.signal('SIGTERM');
      return { app, exit: await app.exited };
    }),
  );
  for (const { app, exit } of runs) {
    assert.equal(exit.signal, null, `killed by ${exit.signal}:\n${app.output()}`);
    assert.equal(exit.code, 0, app.output());
  }
});

/** Starts a process that is expected to exit at once; resolves its exit code and output. */
async function runToExit(args: string[], env: Record<string, string>) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, args, { env: { ...process.env, PORT: '0', ...env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

test('a bad ZERODROP_* value or checks module: one clear line, exit 1, no stack trace', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ ZERODROP_DRAIN_DELAY_MS: 'soon' }, /ZERODROP_DRAIN_DELAY_MS="soon" is not a number/],
    [{ ZERODROP_PORT: 'http' }, /ZERODROP_PORT="http" is not a port number/],
    [{ ZERODROP_WARMUP_PATH: 'index' }, /ZERODROP_WARMUP_PATH="index" must be a path/],
    [{ ZERODROP_CHECKS: './no-such-checks.mjs' }, /ZERODROP_CHECKS=\.\/no-such-checks\.mjs: cannot load it/],
    [{ ZERODROP_CHECKS: notChecks }, /exports neither `checks` nor `onShutdown`/],
  ];
  for (const [env, message] of cases) {
    const { code, output } = await runToExit([...IMPORT, esmApp], env);
    assert.equal(code, 1, `${JSON.stringify(env)}:\n${output}`);
    assert.match(output, message);
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  }
});
