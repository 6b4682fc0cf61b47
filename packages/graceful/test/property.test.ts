import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Logger } from '../src/index.js';
import { get } from './support/child.js';
import { startServer } from './support/server.js';

/** Values that break naive printing: each is built fresh, since some are single-use (a revoked Proxy). */
const hostileFactories: Record<string, () => unknown> = {
  nullPrototype: () => Object.create(null),
  throwingToString: () => ({
    toString() {
      throw new Error('toString');
    },
  }),
  throwingToPrimitive: () => ({
    [Symbol.toPrimitive]() {
      throw new Error('toPrimitive');
    },
  }),
  throwingToJSON: () => ({
    toJSON() {
      throw new Error('toJSON');
    },
    toString() {
      throw new Error('toString');
    },
  }),
  revokedProxy: () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  trappedProxy: () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error('get trap');
        },
        getPrototypeOf() {
          throw new Error('getPrototypeOf trap');
        },
        ownKeys() {
          throw new Error('ownKeys trap');
        },
      },
    ),
  bigintCode: () => Object.assign(new Error('bigint code'), { code: 10n }),
  symbolCode: () => Object.assign(new Error('symbol code'), { code: Symbol('code') }),
  throwingMessage: () => {
    const error = new Error('x');
    Object.defineProperty(error, 'message', {
      get() {
        throw new Error('message getter');
      },
    });
    return error;
  },
  nonStringMessage: () => Object.assign(new Error('x'), { message: { nested: 1n } }),
  cycle: () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    return a;
  },
  symbol: () => Symbol('thrown'),
  bigint: () => 123n,
  hugeString: () => 'x'.repeat(100_000),
  hostileThenable: () =>
    Object.defineProperty({}, 'then', {
      get() {
        throw new Error('then getter');
      },
    }),
};

/** A generated value, or the name of a hostile one built when thrown (fast-check cannot hold a revoked Proxy). */
const thrown = fc.oneof(
  fc
    .anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true })
    .map((value) => ({ value })),
  fc.constantFrom(...Object.keys(hostileFactories)).map((hostile) => ({ hostile })),
);

const failure = fc.record({
  thrown,
  /** throw synchronously, or return a rejected promise */
  how: fc.constantFrom('throw', 'reject'),
});

type Failure = { thrown: { value: unknown } | { hostile: string }; how: string };

const raise = ({ thrown, how }: Failure) => {
  const value = 'hostile' in thrown ? hostileFactories[thrown.hostile]!() : thrown.value;
  if (how === 'throw') throw value;
  return Promise.reject(value);
};

test('checks, cleanup hooks, the logger and event listeners throw arbitrary values: the process never dies of it', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => void uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  // A throwing logger loses its line to stderr as JSON: collect them instead of printing.
  const stderr: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await fc.assert(
      fc.asyncProperty(failure, failure, failure, failure, async (check, hook, log, listener) => {
        const ran: string[] = [];
        const logger: Logger = {
          info: () => raise(log) as never,
          warn: () => raise(log) as never,
          error: () => raise(log) as never,
        };
        const started = await startServer({
          logger,
          checkCacheTtl: 0,
          checks: { hostile: () => raise(check) },
          onShutdown: [{ name: 'hostile', run: () => raise(hook) }, () => void ran.push('after')],
        });
        started.handle.on('draining', () => raise(listener) as never);
        started.handle.on('closed', () => raise(listener) as never);
        for (let i = 0; i < 2; i++) {
          const ready = await get(started.url('/health/ready'));
          assert.equal(ready.status, 503, ready.body);
          assert.equal(JSON.parse(ready.body).checks.hostile.status, 'fail');
        }
        assert.equal((await get(started.url('/health/live'))).status, 200);
        const result = await started.handle.shutdown('property', { drainDelay: 0 });
        assert.equal(result.exitCode, 0);
        assert.deepEqual(ran, ['after'], 'the hook after the hostile one ran');
        assert.equal(started.server.listening, false);
      }),
      { numRuns: 100 },
    );
    // Rejections of the logger's own promises surface a tick later.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.stderr.write = write;
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
  assert.deepEqual(uncaught, [], 'nothing escaped as an uncaught exception or unhandled rejection');
  assert.ok(stderr.length > 0, 'the lines the throwing logger lost went to stderr');
  for (const line of stderr) assert.ok(JSON.parse(line).loggerFailed !== undefined, line);
});
