import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { clusterLayout, clusterUnavailableReason } from '@zerodrop/cluster';
import { zerodrop } from './support/cli.js';

const skip = clusterUnavailableReason();
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const ordersApi = join(repo, 'examples', 'orders-api');

test('cluster: bad usage is exit 2 with the reason', () => {
  const cwd = tmpdir();
  let r = zerodrop(['cluster'], { cwd });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /start, stop, status or build/);
  r = zerodrop(['cluster', 'restart'], { cwd });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /unknown command "cluster restart"\. Did you mean "start"\? It takes one of: start, stop, status, build/,
  );
  r = zerodrop(['cluster', 'start', '--nodes', 'x'], { cwd });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--nodes must be an integer/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('cluster status of a folder with no cluster: exit 1, "not running"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-nocluster-'));
  try {
    const r = zerodrop(['cluster', 'status', '--dir', dir], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /not running/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('zerodrop cluster on this machine', { skip }, () => {
  let dir = '';
  const kubectl = (args: string[], input = '') => {
    const r = spawnSync(join(dir, 'bin', 'kubectl'), ['--kubeconfig', join(dir, 'kubeconfig'), ...args], {
      input,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  const kubectlAsync = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      execFile(
        join(dir, 'bin', 'kubectl'),
        ['--kubeconfig', join(dir, 'kubeconfig'), ...args],
        { timeout: 240_000 },
        (error, out, err) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, out, err }),
      );
    });

  before(
    () => {
      dir = mkdtempSync(join(tmpdir(), 'zerodrop-cli-cluster-'));
      const r = zerodrop(['cluster', 'start', '--dir', dir], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /running/);
      assert.match(r.stdout, new RegExp(`kubeconfig +${dir}/kubeconfig`));
    },
    { timeout: 20 * 60_000 },
  );

  after(() => {
    if (!dir) return;
    zerodrop(['cluster', 'stop', '--dir', dir], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  });

  test('status, /readyz and a Ready node through DIR/bin/kubectl', () => {
    const status = zerodrop(['cluster', 'status', '--dir', dir, '--json'], { cwd: dir });
    assert.equal(status.code, 0, status.stdout);
    const parsed = JSON.parse(status.stdout) as { running: boolean; nodes: { name: string; ready: boolean }[] };
    assert.equal(parsed.running, true);
    assert.deepEqual(parsed.nodes, [{ name: 'zerodrop-node-1', ready: true }]);
    assert.equal(kubectl(['get', '--raw', '/readyz']).out, 'ok');
    const version = kubectl(['version', '-o', 'json']);
    assert.match(version.out, /"gitVersion": "v1\.33\.13"/);
    // A second start finds it running and changes nothing.
    const again = zerodrop(['cluster', 'start', '--dir', dir], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already running/);
  });

  test('the orders-api example rolls over behind its NodePort without one failed request', async () => {
    const { code, err } = kubectl([
      'create',
      'secret',
      'generic',
      'orders-api-database',
      '--from-literal=url=', // empty: the app uses its embedded database
    ]);
    assert.equal(code, 0, err);
    // The example's own manifests, with a command (the image is not run) and a NodePort.
    const command = JSON.stringify(['node', join(ordersApi, 'dist', 'src', 'server.js')]);
    const deployment = kubectl([
      'patch',
      '--local',
      '-f',
      join(ordersApi, 'k8s', 'deployment.yaml'),
      '--type=json',
      '-p',
      `[{"op":"add","path":"/spec/template/spec/containers/0/command","value":${command}},` +
        `{"op":"add","path":"/spec/template/spec/containers/0/workingDir","value":${JSON.stringify(ordersApi)}},` +
        '{"op":"replace","path":"/spec/replicas","value":2}]',
      '-o',
      'yaml',
    ]);
    assert.equal(deployment.code, 0, deployment.err);
    const service = kubectl([
      'patch',
      '--local',
      '-f',
      join(ordersApi, 'k8s', 'service.yaml'),
      '-p',
      '{"spec":{"type":"NodePort"}}',
      '-o',
      'yaml',
    ]);
    assert.equal(service.code, 0, service.err);
    const apply = kubectl(['apply', '-f', '-'], `${deployment.out}\n---\n${service.out}`);
    assert.equal(apply.code, 0, apply.err);
    assert.equal(kubectl(['apply', '-f', join(ordersApi, 'k8s', 'pdb.yaml')]).code, 0);
    const rolled = kubectl(['rollout', 'status', 'deployment/orders-api', '--timeout=120s']);
    assert.equal(rolled.code, 0, rolled.err + rolled.out);
    const nodePort = kubectl(['get', 'service', 'orders-api', '-o', 'jsonpath={.spec.ports[0].nodePort}']).out;
    const url = `http://127.0.0.1:${nodePort}/health/live`;
    // Until the proxy has learned the endpoints (its propagation delay).
    const deadline = Date.now() + 30_000;
    while ((await request(url, false)) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let stop = false;
    const outcomes: { at: string; keepAlive: boolean; outcome: number | string }[] = [];
    const load = (async () => {
      while (!stop) {
        for (const keepAlive of [true, false]) {
          const at = new Date().toISOString();
          outcomes.push({ at, keepAlive, outcome: await request(url, keepAlive ? agent : false) });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // kubectl runs asynchronously from here: a synchronous child would stall the load with the event loop.
    const restartAt = new Date().toISOString();
    const restart = await kubectlAsync(['rollout', 'restart', 'deployment/orders-api']);
    assert.equal(restart.code, 0, restart.err);
    const done = await kubectlAsync(['rollout', 'status', 'deployment/orders-api', '--timeout=180s']);
    assert.equal(done.code, 0, done.err + done.out);
    const doneAt = new Date().toISOString();
    // Until the last old pod is gone (its preStop and drain outlast the rollout status).
    const gone = Date.now() + 60_000;
    while (Date.now() < gone) {
      const pods = await kubectlAsync(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.deletionTimestamp}']);
      if (pods.out.trim() === '') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    stop = true;
    await load;
    agent.destroy();
    const failed = outcomes.filter((o) => o.outcome !== 200);
    const duringRollout = outcomes.filter((o) => o.at >= restartAt && o.at <= doneAt).length;
    assert.ok(duringRollout > 100, `only ${duringRollout} requests were sent during the rollout`);
    const log = readFileSync(join(dir, 'logs', 'node-agent.log'), 'utf8');
    assert.deepEqual(
      failed,
      [],
      `${failed.length} of ${outcomes.length} requests failed; the node agent's log:\n${log}`,
    );
  });

  test('stop leaves no process, network namespace, veth or bridge, also after kill -9 of the node agent', () => {
    const layout = clusterLayout(dir, false);
    const state = JSON.parse(readFileSync(layout.state, 'utf8')) as { processes: { name: string; pid: number }[] };
    const agentPid = state.processes.find((p) => p.name === 'node-agent')?.pid as number;
    process.kill(agentPid, 'SIGKILL');
    const status = zerodrop(['cluster', 'status', '--dir', dir], { cwd: dir });
    assert.equal(status.code, 1);
    const stop = zerodrop(['cluster', 'stop', '--dir', dir], { cwd: dir });
    assert.equal(stop.code, 0, stop.stderr);
    for (const p of state.processes) assert.equal(alive(p.pid), false, `${p.name} (${p.pid}) is still running`);
    const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
    const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(links, new RegExp(layout.prefix));
    assert.doesNotMatch(namespaces, new RegExp(layout.prefix));
    assert.equal(existsSync(layout.state), false);
    const after = zerodrop(['cluster', 'status', '--dir', dir], { cwd: dir });
    assert.equal(after.code, 1);
  });
});

test('Ctrl-C during start: exit 130 and nothing of the half-started cluster is left', {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-cli-interrupted-'));
  try {
    const bin = fileURLToPath(new URL('../../bin/zerodrop.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'cluster', 'start', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      // Interrupted while the apiserver starts: etcd and the apiserver run, the rest does not yet.
      if (/starting kube-apiserver/.test(c)) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted/);
    const layout = clusterLayout(dir, false);
    const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(links, new RegExp(layout.prefix));
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(ps, new RegExp(`${dir}/`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** GET; the status code, or the error code. */
function request(url: string, agent: http.Agent | false): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}
