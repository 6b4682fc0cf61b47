import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Containment, type ContainmentOptions } from '../src/containment.js';
import { ReplicaProcess, SpawnError } from '../src/process.js';
import { processesWith, waitFor, waitGone } from './support/procs.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.js`, import.meta.url));
/** A number no other process on the machine has in its command line: `sleep <marker>` is findable in /proc. */
const marker = () => `${(Math.random() * 1000 + 1000).toFixed(6)}`;
const containments: Containment[] = [];
after(() => {
  for (const c of containments) c.dispose();
});

/** Every isolation this machine offers, down to the process-group fallback that works everywhere. */
const full = new Containment();
containments.push(full);
const modes: { name: string; options: ContainmentOptions }[] = [
  { name: full.describe(), options: {} },
  { name: 'process group only', options: { cgroups: false, pidNamespace: false } },
];
if (full.cgroup && full.pidNamespace) {
  modes.push({ name: 'cgroup only', options: { pidNamespace: false } });
  modes.push({ name: 'PID namespace only', options: { cgroups: false } });
}

function replica(command: string[], env: Record<string, string> = {}, options: ContainmentOptions = {}) {
  const containment = new Containment(options);
  containments.push(containment);
  return { p: new ReplicaProcess(command, env, { containment, name: 'test' }), containment };
}

/** A command that leaves a grandchild in a session of its own (setsid), reparented away from the replica. */
const escapes = (m: string, then = `sleep ${m}`) => ['sh', '-c', `(setsid sleep ${m} &); sleep 0.05; ${then}`];

async function waitRunning(m: string, count: number): Promise<void> {
  await waitFor(() => processesWith(`sleep\0${m}`).length >= count, 10_000);
}

describe('ReplicaProcess', () => {
  test('reports the pid and the exit code; the output goes to files, read back as a tail', async () => {
    const { p } = replica(['sh', '-c', 'echo hello $ZD_X; echo oops >&2; exit 3'], { ZD_X: 'world' });
    assert.ok((await p.started) > 0);
    assert.deepEqual(await p.exited(), { code: 3, signal: null });
    assert.deepEqual(p.output(), { stdout: ['hello world'], stderr: ['oops'] });
  });

  test('a command that does not exist is a SpawnError ENOENT, before anything starts', async () => {
    const { p } = replica(['zerodrop-no-such-command']);
    await assert.rejects(p.started, (e: unknown) => e instanceof SpawnError && e.code === 'ENOENT');
  });

  test('the stop signal goes to the command, which handles it or not', async () => {
    const { p } = replica([process.execPath, fixture('naive')], { PORT: '0' });
    await p.started;
    p.signal('SIGTERM');
    assert.deepEqual(await p.exited(), { code: null, signal: 'SIGTERM' });
  });

  test('an app printing 10 MB without a newline: the bytes go to the file; the tail shows its end', async () => {
    const { p } = replica([process.execPath, '-e', "process.stdout.write('x'.repeat(10 * 1024 * 1024))"]);
    await p.exited();
    assert.ok(statSync(p.sandbox.stdoutFile).size >= 10 * 1024 * 1024);
    const [line] = p.output().stdout;
    assert.match(line ?? '', /^…x{1999}$/);
  });

  for (const mode of modes) {
    describe(`contained by ${mode.name}`, () => {
      test('kill() ends every process of the container, a setsid grandchild included', async () => {
        const m = marker();
        const { p } = replica(escapes(m), {}, mode.options);
        await p.started;
        await waitRunning(m, 2);
        p.kill();
        await p.exited();
        assert.deepEqual(await waitGone(m), []);
      });

      test('when the command exits, what it left behind (setsid) is killed too: the container ends', async () => {
        const m = marker();
        const { p } = replica(escapes(m, 'sleep 0.3'), {}, mode.options);
        await p.started;
        await waitRunning(m, 1);
        assert.deepEqual(await p.exited(), { code: 0, signal: null });
        assert.deepEqual(await waitGone(m), []);
      });

      test('a killed watchdog: the replica dies with it and the exit is reported (its port is free again)', async () => {
        const m = marker();
        const { p } = replica(escapes(m), {}, mode.options);
        await p.started;
        await waitRunning(m, 2);
        const watchdog = [...p.sandbox.pids][0] as number;
        process.kill(watchdog, 'SIGKILL');
        const exit = await p.exited();
        assert.equal(exit.signal, 'SIGKILL');
        assert.deepEqual(await waitGone(m), []);
      });

      test('SIGKILL of the rehearsal itself: nothing of the replica survives', async () => {
        const m = marker();
        const parent = spawn(process.execPath, [fixture('supervise'), ...escapes(m)], {
          stdio: ['ignore', 'pipe', 'inherit'],
          env: {
            ...process.env,
            ZERODROP_TEST_ISOLATION:
              mode.options.cgroups === false && mode.options.pidNamespace === false ? 'process-group' : '',
          },
        });
        await new Promise<void>((resolve) => parent.stdout.once('data', () => resolve()));
        await waitRunning(m, 2);
        parent.kill('SIGKILL');
        assert.deepEqual(await waitGone(m), [], 'no process of the replica survives');
      });
    });
  }

  test('dispose() kills what is left and removes the cgroups and the output files', async () => {
    const m = marker();
    const { p, containment } = replica(escapes(m));
    await p.started;
    await waitRunning(m, 2);
    containment.dispose();
    assert.deepEqual(await waitGone(m), []);
    assert.equal(existsSync(containment.logDir), false);
    if (containment.cgroup) assert.equal(existsSync(containment.cgroup), false);
  });

  test('a process that exits without cleaning up still takes its replicas with it', async () => {
    const m = marker();
    const child = spawn(process.execPath, [fixture('supervise'), '--exit-after-start', ...escapes(m)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (c: string) => out.push(c));
    await new Promise((resolve) => child.on('exit', resolve));
    assert.deepEqual(await waitGone(m), []);
    const dirs =
      out
        .join('')
        .match(/^dirs (.*)$/m)?.[1]
        ?.split(' ') ?? [];
    assert.ok(dirs.length > 0, out.join(''));
    for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} removed`);
  });
});
