// `node --require @zerodrop/graceful/register app.js`: the same preload for CommonJS apps. The package is ES
// modules; require() of an ES module needs Node 20.19+ / 22.12+.
try {
  require('./register.js');
} catch (error) {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
  process.stderr.write(
    `@zerodrop/graceful/register: --require needs Node 20.19+ or 22.12+ (this is ${process.version}); ` +
      'use --import @zerodrop/graceful/register instead (Node 20.6+)\n',
  );
  process.exit(1);
}
