import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ReplicaProcess, SpawnError } from '../src/process.js';
import { processesWith, waitGone } from './support/procs.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.js`, import.meta.url));
const marker = () => `${(Math.random() * 1000 + 1000).toFixed(6)}`;
const started: ReplicaProcess[] = [];
after(() => {
  for (const p of started) p.kill();
});

function replica(command: string[], env: Record<string, string> = {}): ReplicaProcess {
  const p = new ReplicaProcess(command, env);
  started.push(p);
  return p;
}

describe('ReplicaProcess (watchdog)', () => {
  test('reports the pid and the exit code, keeps the output', async () => {
    const p = replica(['sh', '-c', 'echo hello $ZD_X; echo oops >&2; exit 3'], { ZD_X: 'world' });
    assert.ok((await p.started) > 0);
    assert.deepEqual(await p.exited(), { code: 3, signal: null });
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(p.output.includes('hello world'));
    assert.ok(p.output.includes('oops'));
  });

  test('a command that does not exist is a SpawnError ENOENT', async () => {
    const p = replica(['zerodrop-no-such-command']);
    await assert.rejects(p.started, (e: unknown) => e instanceof SpawnError && e.code === 'ENOENT');
  });

  test('the stop signal goes to the top process only', async () => {
    const p = replica([process.execPath, fixture('naive')], { PORT: '0' });
    await p.started;
    p.signal('SIGTERM');
    assert.deepEqual(await p.exited(), { code: null, signal: 'SIGTERM' });
  });

  test('kill() SIGKILLs the whole process group', async () => {
    const m = marker();
    const p = replica(['sh', '-c', `sleep ${m} & sleep ${m}; wait`]);
    await p.started;
    for (let i = 0; i < 100 && processesWith(`sleep\0${m}`).length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(processesWith(`sleep\0${m}`).length, 2);
    p.kill();
    assert.deepEqual(await waitGone(m), []);
  });

  test('when the top process exits, what it left behind is killed too (the container ends)', async () => {
    const m = marker();
    const p = replica(['sh', '-c', `sleep ${m} & sleep 0.2`]);
    await p.started;
    await p.exited();
    assert.deepEqual(await waitGone(m), []);
  });

  test('SIGKILL of the rehearsal itself: the watchdog kills the replica', async () => {
    const m = marker();
    const parent = spawn(process.execPath, [fixture('supervise'), 'sh', '-c', `sleep ${m} & sleep ${m}; wait`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => parent.stdout.once('data', () => resolve()));
    for (let i = 0; i < 100 && processesWith(`sleep\0${m}`).length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(processesWith(`sleep\0${m}`).length, 2);
    parent.kill('SIGKILL');
    assert.deepEqual(await waitGone(m), [], 'no process of the replica survives');
  });
});
