import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GracefulError } from '../src/index.js';
import { DEFAULTS, resolveOptions } from '../src/options.js';

test('defaults', () => {
  const o = resolveOptions({}, {});
  assert.equal(o.drainDelay, DEFAULTS.drainDelay);
  assert.equal(o.shutdownTimeout, 28_000);
  assert.equal(o.checkTimeout, 800);
  assert.equal(o.idleSocketTimeout, undefined, 'follows the server keepAliveTimeout');
  assert.deepEqual(o.signals, ['SIGTERM', 'SIGINT']);
  assert.equal(o.exit, true);
  assert.equal(o.speed, 1);
  assert.equal(o.paths.prestop, '/health/prestop');
});

test('environment variables win over options given in code', () => {
  const env = {
    ZERODROP_DRAIN_DELAY_MS: '15000',
    ZERODROP_SHUTDOWN_TIMEOUT_MS: '40000',
    ZERODROP_PROBE_PORT: '9090',
    ZERODROP_PRESTOP_TOKEN: 'from-env',
    ZERODROP_CHECK_TIMEOUT_MS: '500',
    ZERODROP_EXPOSE_DETAILS: 'true',
    ZERODROP_PID1_WARNING: 'off',
  };
  const o = resolveOptions(
    { drainDelay: 1000, probePort: 8081, prestopToken: 'from-code', checkTimeout: 100, exposeDetails: false },
    env,
  );
  assert.equal(o.drainDelay, 15_000);
  assert.equal(o.shutdownTimeout, 40_000);
  assert.equal(o.probePort, 9090);
  assert.equal(o.prestopToken, 'from-env');
  assert.equal(o.checkTimeout, 500);
  assert.equal(o.exposeDetails, true);
  assert.equal(o.pid1Warning, false);
});

test('ZERODROP_SPEED divides the Kubernetes-side durations only', () => {
  const o = resolveOptions({ drainDelay: 10_000, checkTimeout: 800 }, { ZERODROP_SPEED: '20' });
  assert.equal(o.drainDelay, 500);
  assert.equal(o.shutdownTimeout, 1400);
  assert.equal(o.checkTimeout, 800);
});

test('bad environment values are GracefulErrors naming the variable', () => {
  for (const [name, value] of [
    ['ZERODROP_SPEED', '0.5'],
    ['ZERODROP_DRAIN_DELAY_MS', 'ten'],
    ['ZERODROP_PROBE_PORT', '80.5'],
    ['ZERODROP_EXPOSE_DETAILS', 'maybe'],
  ] as const) {
    assert.throws(
      () => resolveOptions({}, { [name]: value }),
      (e: unknown) => e instanceof GracefulError && e.code === 'ERR_ZERODROP_OPTIONS' && e.message.includes(name),
      name,
    );
  }
});

test('ZERODROP_LOG=off silences, a logger object gets every line', () => {
  const lines: unknown[] = [];
  const logger = { info: (f: unknown) => lines.push(f), warn: () => {}, error: () => {} };
  resolveOptions({ logger }, {}).logger.info({ event: 'x' }, 'x');
  assert.deepEqual(lines, [{ event: 'x' }]);
  resolveOptions({ logger }, { ZERODROP_LOG: 'off' }).logger.info({ event: 'y' }, 'y');
  assert.equal(lines.length, 1, 'silenced');
  assert.throws(() => resolveOptions({ logger: { info() {} } as never }, {}), { code: 'ERR_ZERODROP_OPTIONS' });
});
