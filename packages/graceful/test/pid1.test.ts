import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signalForwardingProblem } from '../src/pid1.js';
import { startApp } from './support/child.js';

const app = fileURLToPath(new URL('./fixtures/app.js', import.meta.url));
const linux = process.platform === 'linux';

test('warns once when a shell that does not forward signals is the parent', {
  skip: !linux && 'reads /proc: Linux only',
}, async (t) => {
  // `; exit $?` keeps sh from exec-ing node, as a wrapper script would.
  const replica = await startApp(['-c', `"${process.execPath}" "${app}"; exit $?`], { command: 'sh' });
  t.after(() => replica.kill());
  const warning = await replica.waitFor((l) => l.event === 'signal_forwarding');
  assert.equal(warning.level, 'warn');
  assert.match(String(warning.msg), /shell/);
  assert.equal(replica.lines.filter((l) => l.event === 'signal_forwarding').length, 1);
});

test('no warning when started directly, or when silenced', { skip: !linux && 'reads /proc: Linux only' }, async (t) => {
  const direct = await startApp([app]);
  const silenced = await startApp(['-c', `"${process.execPath}" "${app}"; exit $?`], {
    command: 'sh',
    env: { ZERODROP_PID1_WARNING: '0' },
  });
  t.after(async () => {
    await direct.kill();
    await silenced.kill();
  });
  await Promise.all([direct.waitFor((l) => l.event === 'ready'), silenced.waitFor((l) => l.event === 'ready')]);
  assert.equal(direct.lines.filter((l) => l.event === 'signal_forwarding').length, 0);
  assert.equal(silenced.lines.filter((l) => l.event === 'signal_forwarding').length, 0);
});

test('recognises package managers and ignores interactive shells', {
  skip: !linux && 'reads /proc: Linux only',
}, () => {
  // This process's own parent is the test runner (node): no problem.
  assert.equal(signalForwardingProblem(), undefined);
  assert.equal(signalForwardingProblem(1), undefined, 'PID 1 receives the signal');
  assert.equal(signalForwardingProblem(process.pid, process.ppid, 'darwin'), undefined, 'no-op off Linux');
});
