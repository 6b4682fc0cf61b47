/**
 * The guard of a temporary cluster (owner-watch.js) on a cluster folder whose recorded daemon is a plain process:
 * the owner killed with SIGKILL stops the cluster (its recorded processes and state gone), a pid that now belongs
 * to another process counts as gone, and a cluster stopped by someone else ends the guard without touching anything.
 * Needs neither root nor the Kubernetes binaries.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ClusterLayout, type ClusterState, clusterLayout, type ProcessRecord, writeState } from '../src/layout.js';
import { isOurs, processStartTicks, startDaemon } from '../src/processes.js';

const OWNER_WATCH = fileURLToPath(new URL('../src/owner-watch.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'zerodrop-owner-watch-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A cluster folder whose state records one daemon: a process whose command line names the folder. */
function fakeCluster(name: string): { layout: ClusterLayout; daemon: number; startedAt: string } {
  const layout = clusterLayout(join(root, name));
  mkdirSync(layout.logs, { recursive: true });
  const record = startDaemon({
    name: 'etcd',
    file: process.execPath,
    args: ['-e', 'setInterval(() => {}, 1000)', join(layout.dir, 'marker')],
    logFile: join(layout.logs, 'etcd.log'),
  });
  const startedAt = new Date().toISOString();
  writeState(layout, state(layout, startedAt, [record]));
  return { layout, daemon: record.pid, startedAt };
}

function state(layout: ClusterLayout, startedAt: string, processes: ProcessRecord[]): ClusterState {
  return {
    dir: layout.dir,
    prefix: layout.prefix,
    kubernetesVersion: 'v0',
    etcdVersion: 'v0',
    startedAt,
    apiserverUrl: 'https://127.0.0.1:1',
    etcdUrl: 'http://127.0.0.1:1',
    nodeIP: '127.0.0.1',
    podSubnet: '198.18.250.0/24',
    serviceSubnet: '198.19.0.0/16',
    nodes: [],
    processes,
  };
}

function watch(cluster: { layout: ClusterLayout; startedAt: string }, owner: number, since: number): ChildProcess {
  return spawn(
    process.execPath,
    [
      OWNER_WATCH,
      ...['--dir', cluster.layout.dir, '--started', cluster.startedAt],
      ...['--owner', String(owner), '--since', String(since)],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function exited(child: ChildProcess, timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(
      () => reject(new Error(`pid ${child.pid} still running after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test('the owner killed with SIGKILL: the guard stops the cluster and ends', async () => {
  const fake = fakeCluster('killed');
  const { layout, daemon } = fake;
  const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
  const guard = watch(fake, owner.pid as number, processStartTicks(owner.pid as number) as number);
  let output = '';
  guard.stdout?.on('data', (c) => (output += c));
  // While the owner lives the cluster is left alone.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(isOurs(daemon, layout.dir), true);
  assert.equal(guard.exitCode, null);
  owner.kill('SIGKILL');
  assert.equal(await exited(guard), 0);
  assert.equal(isOurs(daemon, layout.dir), false, 'the recorded daemon is gone');
  assert.equal(existsSync(layout.state), false, 'the state is removed');
  assert.match(output, /is gone: stopping it/);
});

test('a pid now held by another process (a start time that differs) counts as gone', async () => {
  const fake = fakeCluster('reused');
  const { layout, daemon } = fake;
  const guard = watch(fake, process.pid, (processStartTicks(process.pid) as number) + 1);
  assert.equal(await exited(guard), 0);
  assert.equal(isOurs(daemon, layout.dir), false);
});

test('a cluster stopped by someone else ends the guard, which touches nothing', async () => {
  const fake = fakeCluster('stopped');
  const { layout, daemon } = fake;
  const guard = watch(fake, process.pid, processStartTicks(process.pid) as number);
  try {
    // Started anew in the same folder: a new startedAt is not the cluster the guard was started for.
    writeState(layout, state(layout, 'later', []));
    assert.equal(await exited(guard), 0);
    assert.equal(isOurs(daemon, layout.dir), true, 'the guard killed nothing');
  } finally {
    process.kill(daemon, 'SIGKILL');
  }
});

test('without its arguments the guard says how to run it', async () => {
  const guard = spawn(process.execPath, [OWNER_WATCH], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  guard.stderr?.on('data', (c) => (err += c));
  assert.equal(await exited(guard), 2);
  assert.match(err, /usage: node owner-watch\.js --dir/);
});
