/**
 * `zerodrop rehearse --control-plane kubernetes` as a user runs it: the manifest applied to a local cluster (the
 * real control plane, the node agent running the app command), a real rollout or drain under load, the report.
 * One two-node cluster serves the file (`--cluster DIR`); one run starts and stops its own, as a user's run does.
 * The app is verify's test app (`packages/verify/test/fixtures/web.ts`): plain, or with @zerodrop/graceful.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { type Cluster, clusterLayout, clusterUnavailableReason, startCluster, stopCluster } from '@zerodrop/cluster';
import { type Run, scratchDir, zerodrop } from './support/cli.js';

const skip = clusterUnavailableReason();
const bin = fileURLToPath(new URL('../../bin/zerodrop.js', import.meta.url));
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const app = join(repo, 'packages', 'verify', 'dist', 'test', 'fixtures', 'web.js');
/** Short phases: the rollout is what is measured. */
const FAST = ['--rate', '100', '--connections', '8', '--warmup', '1', '--settle', '2'];

/** The manifest of the runs: 3 replicas, maxSurge 1, maxUnavailable 0, readiness on /ready, a PDB. */
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 30
      serviceAccountName: web
      containers:
        - name: web
          image: registry.example.com/web:1.4.2
          command: [node, dist/server.js]
          ports: [{name: http, containerPort: 8080}]
          env:
            - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
          readinessProbe:
            httpGet: {path: /ready, port: http}
            periodSeconds: 1
            failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}
`;

interface Result {
  requests: { total: number; failed: number };
  settings: { command: string[]; profile: string; replicas: number; manifest?: string };
  attribution: { groups: { cause: string; count: number; pods: string[] }[] };
  pods: { name: string; revision: string; events: { atMs: number; state: string; detail?: string }[] }[];
  rollout: { completed: boolean };
  outcome: { status: string; message?: string };
  controlPlane?: { kind: string; version: string; cluster: string; temporary: boolean; nodes: number };
  verify?: { namespace: string; trigger: string; evictions?: { pod: string; status: number }[]; notes?: string[] };
  lint?: { file: string };
}

/** Runs the CLI without blocking this process. */
function zerodropAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A rehearsal with a cluster of its own and the graceful app, sent `signal` once its rollout is under way; resolves
 * with how it ended.
 */
function interrupted(
  cwd: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [bin, 'rehearse', '--control-plane', 'kubernetes', ...FAST, '--env', 'GRACEFUL=1', '--', 'node', app],
    { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    if (!sent && /rolling out under load/.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on('close', (code, how) => resolve({ code, signal: how, stdout, stderr })));
}

/** Pids of the processes whose command line names `dir` or a path inside it. */
function processesNaming(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a === dir || a.includes(`${dir}/`))) out.push(Number(entry));
    } catch {
      // exited
    }
  }
  return out;
}

/** How many network namespaces of the cluster with this prefix exist. */
function podNetworks(prefix: string): number {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.startsWith(`${prefix}-`)).length;
}

describe('zerodrop rehearse --control-plane kubernetes', { skip }, () => {
  let cluster: Cluster;
  const dir = scratchDir('zerodrop-rehearse-k8s-');
  const manifest = join(dir, 'deploy.yaml');
  writeFileSync(manifest, MANIFEST);
  const readResult = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Result;
  const rehearse = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    zerodropAsync(['rehearse', '--control-plane', 'kubernetes', ...FAST, ...args], dir, env);

  before(
    async () => {
      cluster = await startCluster({ dir: join(dir, 'cluster'), nodes: 2, owner: process.pid });
    },
    { timeout: 20 * 60_000 },
  );

  after(async () => {
    if (cluster) await stopCluster(cluster.dir);
  });

  test('the graceful app: every pod replaced by the real controllers, zero dropped, exit 0', {
    timeout: 300_000,
  }, async () => {
    const r = await rehearse([
      '--cluster',
      cluster.dir,
      '--manifest',
      manifest,
      '--env',
      'GRACEFUL=1',
      '--json',
      'graceful.json',
      '--html',
      'graceful.html',
      '--',
      'node',
      app,
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^zerodrop rehearse: ZERO DROPPED of [\d,]+ requests/);
    assert.match(r.stdout, /on the real control plane \(Kubernetes v1\.\d+\.\d+, the cluster in .*, 2 node\(s\)\)/);
    // What differs from the manifest is said before the run.
    assert.match(r.stderr, /note: left out, since they name things of another cluster: serviceAccountName/);
    assert.match(r.stderr, /note: service web is a NodePort here \(ClusterIP in the manifest\)/);
    const result = readResult('graceful.json');
    assert.equal(result.outcome.status, 'completed');
    assert.equal(result.requests.failed, 0);
    assert.ok(result.requests.total > 300, `${result.requests.total} requests`);
    assert.equal(result.rollout.completed, true);
    assert.deepEqual(result.settings.command, ['node', app]);
    assert.equal(result.settings.profile, 'kube-proxy');
    assert.equal(result.controlPlane?.kind, 'kubernetes');
    assert.equal(result.controlPlane?.temporary, false);
    assert.equal(result.verify?.trigger, 'restart');
    assert.equal(result.lint?.file, manifest);
    // Three pods of the old ReplicaSet, three of the new one, named by the real controllers (web-<hash>-<id>).
    const old = result.pods.filter((p) => p.revision === 'old');
    const fresh = result.pods.filter((p) => p.revision === 'new');
    assert.equal(old.length, 3);
    assert.equal(fresh.length, 3);
    const hash = (name: string) => name.split('-')[1];
    assert.equal(new Set(old.map((p) => hash(p.name))).size, 1);
    assert.equal(new Set(fresh.map((p) => hash(p.name))).size, 1);
    assert.notEqual(hash(old[0]?.name ?? ''), hash(fresh[0]?.name ?? ''));
    for (const p of old)
      assert.ok(
        p.events.some((e) => e.state === 'exited' && e.detail === 'code 0'),
        p.name,
      );
    for (const p of result.pods) assert.match(p.name, /^web-[a-z0-9]+-[a-z0-9]{5}$/);
    const html = readFileSync(join(dir, 'graceful.html'), 'utf8');
    assert.match(html, /zerodrop rehearsal on Kubernetes/);
    // The run's namespace is deleted afterwards; the cluster stays.
    const namespace = result.verify?.namespace ?? '';
    assert.match(namespace, /^zerodrop-rehearse-/);
    const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    const left = await core.readNamespace({ name: namespace }).catch(() => undefined);
    assert.ok(left === undefined || left.metadata?.deletionTimestamp, `namespace ${namespace} is not being deleted`);
  });

  test('the plain app in a cluster started for the run: drops attributed to the old pods, exit 1, nothing left', {
    timeout: 600_000,
  }, async () => {
    const r = await rehearse(['--manifest', manifest, '--json', 'plain.json', '--', 'node', app]);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /^zerodrop rehearse: \d+ of [\d,]+ requests FAILED/);
    assert.match(r.stderr, /starting a local cluster \(1 node\(s\)\)/);
    assert.match(r.stderr, /stopping the local cluster/);
    const result = readResult('plain.json');
    assert.ok(result.requests.failed > 0 && result.requests.total > result.requests.failed);
    assert.equal(result.rollout.completed, true);
    assert.equal(result.controlPlane?.temporary, true);
    const old = new Set(result.pods.filter((p) => p.revision === 'old').map((p) => p.name));
    assert.equal(old.size, 3);
    const causes = result.attribution.groups.map((g) => g.cause);
    assert.ok(causes.includes('prestop') || causes.includes('no-drain'), causes.join());
    for (const g of result.attribution.groups) for (const pod of g.pods) assert.ok(old.has(pod), pod);
    // The app does not handle SIGTERM: reported as an unclean exit, as the built-in models do.
    assert.match(r.stdout, /ended by SIGTERM without handling it/);
    assert.match(r.stdout, /prestop-missing \(lint flags it at .*deploy\.yaml:\d+\)/);
    // The temporary cluster is stopped and its folder removed.
    assert.ok(result.controlPlane?.cluster);
    assert.equal(existsSync(result.controlPlane.cluster), false);
  });

  test('--drain: the pods evicted through the eviction API with the PodDisruptionBudget, 429s in the report', {
    timeout: 300_000,
  }, async () => {
    const r = await rehearse([
      '--cluster',
      cluster.dir,
      '--drain',
      '--manifest',
      manifest,
      '--replicas',
      '2',
      '--env',
      'GRACEFUL=1',
      '--json',
      'drain.json',
      '--',
      'node',
      app,
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /drain: 2 pod\(s\) evicted .*, [1-9]\d* eviction\(s\) refused with 429/);
    assert.match(r.stdout, /429: Cannot evict pod as it would violate the pod's disruption budget/);
    assert.match(r.stdout, /drain:zerodrop-node-1/);
    const result = readResult('drain.json');
    assert.equal(result.verify?.trigger, 'drain:zerodrop-node-1');
    assert.ok(result.verify?.evictions?.some((e) => e.status === 429));
    assert.equal(result.requests.failed, 0);
    assert.equal(result.rollout.completed, true);
    // The node is uncordoned again for the next run.
    const nodes = await cluster.kubeConfig().makeApiClient(CoreV1Api).listNode();
    for (const node of nodes.items) assert.notEqual(node.spec?.unschedulable, true, node.metadata?.name);
  });

  test('an ingress-nginx profile: rehearse’s L7 model follows the real EndpointSlices', {
    timeout: 300_000,
  }, async () => {
    const r = await rehearse([
      '--cluster',
      cluster.dir,
      '--manifest',
      manifest,
      '--profile',
      'ingress-nginx',
      '--env',
      'GRACEFUL=1',
      '--prestop-sleep',
      '6',
      '--json',
      'ingress.json',
      '--',
      'node',
      app,
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = readResult('ingress.json');
    assert.equal(result.settings.profile, 'ingress-nginx');
    assert.equal(result.requests.failed, 0);
    assert.equal(result.rollout.completed, true);
    assert.match(r.stdout, /preStop sleep 6s/);
  });

  test('a gke-neg profile: pods Ready only once the load balancer model finds them healthy (a readiness gate)', {
    timeout: 300_000,
  }, async () => {
    const r = await rehearse([
      '--cluster',
      cluster.dir,
      '--manifest',
      manifest,
      '--replicas',
      '2',
      '--profile',
      'gke-neg',
      '--env',
      'GRACEFUL=1',
      '--json',
      'neg.json',
      '--',
      'node',
      app,
    ]);
    // Without the gate's condition set by the load balancer model, no pod would turn Ready (exit 2).
    assert.notEqual(r.code, 2, r.stderr + r.stdout);
    const result = readResult('neg.json');
    assert.equal(result.settings.profile, 'gke-neg');
    assert.equal(result.rollout.completed, true);
    // Each new pod turned Ready only after the health check's healthy threshold (2 checks, 5 s apart).
    for (const p of result.pods.filter((pod) => pod.revision === 'new')) {
      const at = (state: string) => p.events.find((e) => e.state === state)?.atMs;
      assert.ok((at('ready') ?? 0) - (at('started') ?? 0) >= 4000, `${p.name}: ${JSON.stringify(p.events)}`);
    }
  });

  test('Ctrl-C during a rollout: exit 130, the cluster started for the run stopped and removed', {
    timeout: 300_000,
  }, async () => {
    // One Ctrl-C (a second one quits at once).
    const { code, stdout, stderr } = await interrupted(dir, 'SIGINT');
    assert.equal(code, 130, stderr + stdout);
    assert.match(stdout, /^zerodrop rehearse: INTERRUPTED after [\d,]+ requests \(partial\)/);
    assert.match(stderr, /stopping the local cluster/);
    const folder = /starting a local cluster \(1 node\(s\)\) in (\S+)/.exec(stderr)?.[1];
    assert.ok(folder, stderr);
    assert.equal(existsSync(folder), false);
  });

  test('kill -9 during a rollout: the guard beside the cluster started for the run stops it', {
    timeout: 300_000,
  }, async () => {
    const { signal, stdout, stderr } = await interrupted(dir, 'SIGKILL');
    assert.equal(signal, 'SIGKILL', stderr + stdout);
    const folder = /starting a local cluster \(1 node\(s\)\) in (\S+)/.exec(stderr)?.[1];
    assert.ok(folder, stderr);
    const layout = clusterLayout(join(folder, 'cluster'), false);
    try {
      // No process of the cluster, no state, no pod network left: the guard saw its owner gone and stopped it.
      const deadline = Date.now() + 60_000;
      while (processesNaming(layout.dir).length > 0 || existsSync(layout.state) || podNetworks(layout.prefix) > 0) {
        assert.ok(
          Date.now() < deadline,
          `still there after 60 s: pids ${processesNaming(layout.dir).join(', ')}, state ${existsSync(layout.state)}, ${podNetworks(layout.prefix)} namespace(s)`,
        );
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.match(readFileSync(join(layout.logs, 'owner-watch.log'), 'utf8'), /is gone: stopping it/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('an app that crashes at start: exit 2 at once, with its output', { timeout: 180_000 }, async () => {
    const crash = join(dir, 'crash.mjs');
    writeFileSync(crash, "console.error('Error: cannot find config.json'); process.exit(3);\n");
    const r = await rehearse(['--cluster', cluster.dir, '--manifest', manifest, '--', 'node', crash]);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(
      r.stderr,
      /COULD NOT RUN: the app cannot run on the cluster:\n {2}web-\S+: restarted \d+ times \(last exit: code 3/,
    );
    assert.match(r.stderr, /\| Error: cannot find config\.json/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('--cluster naming a folder without a running cluster: exit 2 saying how to start one', () => {
    const r = zerodrop(
      ['rehearse', '--control-plane', 'kubernetes', '--cluster', join(dir, 'nothing'), '--drain', '--', 'node', app],
      { cwd: dir },
    );
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(
      r.stderr,
      /no running cluster in .*nothing: start one with `zerodrop cluster start --dir .*nothing --nodes 2`/,
    );
  });
});

describe('zerodrop rehearse --control-plane kubernetes: what it refuses', () => {
  const dir = scratchDir('zerodrop-rehearse-k8s-usage-');
  const cases: { args: string[]; error: RegExp; env?: NodeJS.ProcessEnv }[] = [
    { args: ['--control-plane', 'kubernetes', '--speed', '4'], error: /--speed applies to the built-in models only/ },
    { args: ['--control-plane', 'kubernetes', '--new-env', 'V=2'], error: /--new-env is for the built-in models/ },
    { args: ['--drain'], error: /--drain needs --control-plane kubernetes/ },
    { args: ['--cluster', 'x'], error: /--cluster needs --control-plane kubernetes/ },
    { args: ['--control-plane', 'k8s'], error: /--control-plane must be models or kubernetes, got "k8s"/ },
    {
      args: ['--control-plane', 'kubernetes'],
      env: { ZERODROP_KUBERNETES_BIN: '/nonexistent' },
      error:
        /COULD NOT RUN: --control-plane kubernetes runs a local cluster, and none can run here: ZERODROP_KUBERNETES_BIN=\/nonexistent lacks etcd/,
    },
  ];
  for (const c of cases) {
    test(`${c.args.join(' ')}: exit 2, no stack trace`, () => {
      const r = zerodrop(['rehearse', ...c.args, '--', 'node', app], { cwd: dir, ...(c.env ? { env: c.env } : {}) });
      assert.equal(r.code, 2, r.stderr + r.stdout);
      assert.match(r.stderr, c.error);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  test('not root: exit 2 saying root is needed', {
    skip: process.getuid?.() !== 0 && 'runs as root to drop it',
  }, () => {
    const r = zerodrop(['rehearse', '--control-plane', 'kubernetes', '--', process.execPath, app], {
      cwd: dir,
      uid: 65534,
      gid: 65534,
    });
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(r.stderr, /none can run here: pod networks .* need root/);
  });
});
