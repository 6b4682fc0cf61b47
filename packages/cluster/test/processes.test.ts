import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isOurs } from '../src/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'zerodrop-processes-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function exited(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
}

test('a daemon caught while its shell execs the program is still ours; after its exit it is not', async () => {
  // The daemons start as `sh -c '... exec "$@"'`: between the shell and the program the command line is empty for a
  // moment. Polled from the spawn on, a starting process must never read as gone.
  for (let round = 0; round < 20; round++) {
    const child = spawn('/bin/sh', ['-c', 'exec "$@"', 'sh', '/bin/sh', '-c', 'sleep 30; :', join(dir, 'marker')], {
      stdio: 'ignore',
    });
    const pid = child.pid ?? 0;
    const until = Date.now() + 30;
    while (Date.now() < until) assert.equal(isOurs(pid, dir), true, `round ${round}: pid ${pid} read as gone`);
    child.kill('SIGKILL');
    await exited(child);
    assert.equal(isOurs(pid, dir), false);
  }
});

test('another folder, a kernel thread and a pid that does not exist are not ours', async () => {
  const child = spawn('/bin/sh', ['-c', 'sleep 30; :', join(dir, 'marker')], { stdio: 'ignore' });
  try {
    assert.equal(isOurs(child.pid ?? 0, dir), true);
    assert.equal(isOurs(child.pid ?? 0, `${dir}x`), false);
    assert.equal(isOurs(child.pid ?? 0, dir.slice(0, -1)), false);
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
  assert.equal(isOurs(2, '/'), false, 'kthreadd: a kernel thread, whose command line is always empty');
  assert.equal(isOurs(2 ** 22 + 1, dir), false);
});
