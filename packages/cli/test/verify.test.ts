/**
 * `zerodrop verify` as a user runs it, against one local cluster (real control plane, two nodes, the kube-proxy
 * model serving NodePorts on 127.0.0.1) for the whole file: a plain app drops requests in a rollout and a graceful
 * one does not, a drain with a PodDisruptionBudget, a rollout that never completes, the documented RBAC minus a
 * rule, an unreachable URL. The credentials are a ServiceAccount's token bound to exactly the README's Role and
 * ClusterRole, so the documented RBAC is what the runs prove sufficient.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { type Cluster, clusterUnavailableReason, startCluster, stopCluster } from '@zerodrop/cluster';
import { parseTarget, probeUrl } from '@zerodrop/verify';
import { parseAllDocuments } from 'yaml';
import { scratchDir, zerodrop } from './support/cli.js';

const skip = clusterUnavailableReason();
const bin = fileURLToPath(new URL('../../bin/zerodrop.js', import.meta.url));
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const app = join(repo, 'packages', 'verify', 'dist', 'test', 'fixtures', 'web.js');
const readme = join(repo, 'packages', 'verify', 'README.md');
/** Short phases: the rollout is what is measured. */
const FAST = ['--rate', '100', '--connections', '8', '--warmup', '1', '--settle', '2'];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  /** Resolves once stderr has a line that matches. */
  stderrMatches(pattern: RegExp, timeoutMs?: number): Promise<void>;
  signal(name: NodeJS.Signals): void;
  done: Promise<Outcome>;
}

/** Runs the CLI without blocking this process (the cluster's watches and the test's own calls go on meanwhile). */
function zerodropAsync(args: string[], cwd: string): Running {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
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
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    async stderrMatches(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stderr)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`stderr never matched ${pattern}:\n${stderr}\n${stdout}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    signal: (name) => child.kill(name),
    done,
  };
}

/** The RBAC objects of the README, as written there. */
function documentedRbac(): Record<string, unknown>[] {
  const text = readFileSync(readme, 'utf8');
  const block = /<!-- rbac -->\n```yaml\n([\s\S]*?)```/.exec(text)?.[1];
  assert.ok(block, 'the README has the RBAC block');
  return parseAllDocuments(block).map((d) => d.toJS() as Record<string, unknown>);
}

interface Result {
  requests: { total: number; failed: number };
  attribution: { groups: { cause: string; count: number; pods: string[] }[] };
  failures: { pod?: string; detail: string }[];
  pods: { name: string; revision: string; events: { state: string }[] }[];
  rollout: { completed: boolean };
  outcome: { status: string; message?: string };
  lint?: { findings: { rule: string }[] };
  verify: { trigger: string; evictions?: { pod: string; status: number; message: string }[] };
}

describe('zerodrop verify on a local cluster', { skip }, () => {
  let cluster: Cluster;
  const dir = scratchDir('zerodrop-verify-');
  const kubeconfig = join(dir, 'verifier.kubeconfig');
  const kubectl = (args: string[], input = '') => {
    const r = spawnSync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], {
      input,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const apply = (objects: unknown[]) => kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
  const nodePort = (service: string) =>
    kubectl(['get', 'service', service, '-o', 'jsonpath={.spec.ports[0].nodePort}']).trim();
  const generation = (name: string) => kubectl(['get', 'deployment', name, '-o', 'jsonpath={.metadata.generation}']);
  const start = (args: string[]) =>
    zerodropAsync(['verify', '--kubeconfig', kubeconfig, '--yes', ...FAST, ...args], dir);
  const verify = (args: string[]) => start(args).done;
  const readResult = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Result;

  /** A Deployment of the test app behind a NodePort Service: 3 replicas, maxSurge 1, maxUnavailable 0. */
  function deploy(name: string, env: Record<string, string>, extra: { replicas?: number } = {}) {
    const labels = { app: name };
    apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: 'default' },
        spec: {
          replicas: extra.replicas ?? 3,
          selector: { matchLabels: labels },
          strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'example.com/web:1',
                  command: ['node', app],
                  workingDir: repo,
                  ports: [{ name: 'http', containerPort: 8080 }],
                  env: [
                    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                    ...Object.entries(env).map(([k, value]) => ({ name: k, value })),
                  ],
                  readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'default' },
        spec: { type: 'NodePort', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    ]);
    kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=120s']);
  }

  /** Waits until the NodePort answers (the kube-proxy model learns the endpoints after its propagation delay). */
  async function reachable(service: string): Promise<string> {
    const url = `http://127.0.0.1:${nodePort(service)}/`;
    for (let i = 0; i < 150; i++) {
      const answer = await probeUrl(parseTarget(url), 2000);
      if ('status' in answer && answer.status === 200) return url;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${url} never answered`);
  }

  before(
    async () => {
      cluster = await startCluster({ dir: join(dir, 'cluster'), nodes: 2, owner: process.pid });
      apply(documentedRbac());
      // A token of the documented ServiceAccount, in a kubeconfig of its own.
      const admin = cluster.kubeConfig();
      const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
        name: 'zerodrop-verify',
        namespace: 'default',
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      });
      const server = admin.getCurrentCluster();
      assert.ok(server && token.status?.token);
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ ...server, name: 'local' }],
        users: [{ name: 'zerodrop-verify', token: token.status.token }],
        contexts: [{ name: 'verifier', cluster: 'local', user: 'zerodrop-verify', namespace: 'default' }],
        currentContext: 'verifier',
      });
      writeFileSync(kubeconfig, kc.exportConfig());
    },
    { timeout: 20 * 60_000 },
  );

  after(async () => {
    if (cluster) await stopCluster(cluster.dir);
  });

  test('a plain app drops requests in a rollout: exit 1, each failure tied to an old pod and its cause', {
    timeout: 240_000,
  }, async () => {
    deploy('plain', { GRACEFUL: '0' });
    const url = await reachable('plain');
    const r = await verify(['--deployment', 'plain', '--url', url, '--json', 'plain.json', '--html', 'plain.html']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /^zerodrop verify: \d+ of [\d,]+ requests FAILED/);
    const result = readResult('plain.json');
    assert.ok(result.requests.failed > 0 && result.requests.total > result.requests.failed);
    assert.equal(result.rollout.completed, true);
    const old = new Set(result.pods.filter((p) => p.revision === 'old').map((p) => p.name));
    assert.equal(old.size, 3);
    // The app stops at SIGTERM: kept-alive connections are cut (no drain), new ones still arrive (no preStop).
    const causes = result.attribution.groups.map((g) => g.cause);
    assert.ok(causes.includes('prestop') || causes.includes('no-drain'), causes.join());
    for (const g of result.attribution.groups) for (const pod of g.pods) assert.ok(old.has(pod), pod);
    assert.match(result.failures[0]?.detail ?? '', /after pod plain-\S+ was deleted, .* → (prestop|no-drain)/);
    assert.ok(result.lint?.findings.some((f) => f.rule === 'prestop-missing'));
    assert.match(r.stdout, /prestop-missing \(lint flags it at deployment\/plain in namespace default\)/);
    const html = readFileSync(join(dir, 'plain.html'), 'utf8');
    assert.match(html, /<h1>zerodrop verify<\/h1>/);
    assert.match(html, /Why they failed/);
  });

  test('the same app with @zerodrop/graceful: zero dropped, exit 0', { timeout: 240_000 }, async () => {
    deploy('graceful', { GRACEFUL: '1' });
    const url = await reachable('graceful');
    const r = await verify(['--deployment', 'graceful', '--url', url, '--json', 'graceful.json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^zerodrop verify: ZERO DROPPED of [\d,]+ requests/);
    const result = readResult('graceful.json');
    assert.equal(result.requests.failed, 0);
    assert.ok(result.requests.total > 500, `${result.requests.total} requests`);
    assert.equal(result.rollout.completed, true);
    // Every old pod was deleted and exited 0 after draining.
    const old = result.pods.filter((p) => p.revision === 'old');
    assert.equal(old.length, 3);
    for (const p of old)
      assert.ok(
        p.events.some((e) => e.state === 'exited'),
        p.name,
      );
  });

  test('a drain with a PodDisruptionBudget: 429s shown, the node uncordoned, exit 0', {
    timeout: 240_000,
  }, async () => {
    // Both pods on node 1: node 2 is cordoned while they are scheduled.
    kubectl(['cordon', 'zerodrop-node-2']);
    deploy('drained', { GRACEFUL: '1' }, { replicas: 2 });
    kubectl(['uncordon', 'zerodrop-node-2']);
    apply([
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'drained', namespace: 'default' },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'drained' } } },
      },
    ]);
    const url = await reachable('drained');
    const r = await verify([
      '--deployment',
      'drained',
      '--url',
      url,
      '--trigger',
      'drain:zerodrop-node-1',
      '--json',
      'drain.json',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /drain: \d+ pod\(s\) evicted .*, [1-9]\d* eviction\(s\) refused with 429/);
    assert.match(r.stdout, /429: Cannot evict pod as it would violate the pod's disruption budget/);
    const result = readResult('drain.json');
    assert.equal(result.verify.trigger, 'drain:zerodrop-node-1');
    assert.ok(result.verify.evictions?.some((e) => e.status === 429));
    assert.equal(result.requests.failed, 0);
    assert.equal(kubectl(['get', 'node', 'zerodrop-node-1', '-o', 'jsonpath={.spec.unschedulable}']), '');
    const nodes = kubectl(['get', 'pods', '-l', 'app=drained', '-o', 'jsonpath={.items[*].spec.nodeName}']);
    assert.deepEqual(nodes.split(' '), ['zerodrop-node-2', 'zerodrop-node-2']);
  });

  test('--trigger none: verify waits, someone else rolls out (a CI deploy), verify measures it', {
    timeout: 240_000,
  }, async () => {
    const url = await reachable('graceful');
    const run = start([
      '--deployment',
      'graceful',
      '--url',
      url,
      '--trigger',
      'none',
      '--timeout',
      '120',
      '--json',
      'none.json',
    ]);
    await run.stderrMatches(/waiting for a rollout of default\/graceful to begin: start it now/);
    kubectl(['rollout', 'restart', 'deployment/graceful']);
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = readResult('none.json');
    assert.equal(result.verify.trigger, 'none');
    assert.equal(result.rollout.completed, true);
    assert.equal(result.requests.failed, 0);
    assert.equal(result.pods.filter((p) => p.revision === 'new').length, 3);
  });

  test('a rollout that never completes: exit 2 at --timeout, the Deployment left as it is', {
    timeout: 240_000,
  }, async () => {
    const marker = join(dir, 'not-ready');
    deploy('stuck', { GRACEFUL: '0', NOT_READY_IF: marker });
    const url = await reachable('stuck');
    // Pods started from now on never turn ready.
    writeFileSync(marker, '');
    const r = await verify(['--deployment', 'stuck', '--url', url, '--timeout', '10', '--json', 'stuck.json']);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    // Why the new pod is stuck: its last Warning, the readiness failures the node agent counted on one Event.
    assert.match(
      r.stderr,
      /COULD NOT RUN: the rollout did not complete \(1 out of 3 new replicas have been updated\) within --timeout 10 s\. stuck-\S+: Unhealthy: Readiness probe failed \(\d+×\)\. Nothing was rolled back/,
    );
    // The numbers measured until then are still printed and written.
    assert.match(r.stdout, /measured until it stopped: 0 of \d+ requests failed/);
    const result = readResult('stuck.json');
    assert.equal(result.outcome.status, 'error');
    assert.equal(result.rollout.completed, false);
    assert.equal(generation('stuck'), '2');
  });

  test('Ctrl-C during a drain a PodDisruptionBudget blocks: exit 130, the node uncordoned, its pods left', {
    timeout: 240_000,
  }, async () => {
    // Every eviction of these pods is refused (429) for as long as the budget says so.
    kubectl(['delete', 'pdb', 'drained']);
    apply([
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'drained', namespace: 'default' },
        spec: { minAvailable: 2, selector: { matchLabels: { app: 'drained' } } },
      },
    ]);
    const url = await reachable('drained');
    const run = start(['--deployment', 'drained', '--url', url, '--trigger', 'drain:zerodrop-node-2']);
    await run.stderrMatches(/eviction of drained-\S+ refused \(429\)/);
    run.signal('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr + r.stdout);
    assert.match(r.stderr, /interrupted: stopping the load; the cluster is left as it is/);
    assert.match(r.stderr, /node zerodrop-node-2 uncordoned/);
    assert.match(r.stdout, /^zerodrop verify: INTERRUPTED after [\d,]+ requests \(partial\)/);
    assert.equal(kubectl(['get', 'node', 'zerodrop-node-2', '-o', 'jsonpath={.spec.unschedulable}']), '');
    const pods = kubectl(['get', 'pods', '-l', 'app=drained', '-o', 'jsonpath={.items[*].spec.nodeName}']);
    assert.deepEqual(pods.split(' '), ['zerodrop-node-2', 'zerodrop-node-2']);
  });

  test('the documented Role minus a rule: exit 2 naming the missing verb and resource, nothing changed', {
    timeout: 120_000,
  }, async () => {
    const url = await reachable('graceful');
    const before = generation('graceful');
    const rbac = documentedRbac();
    const role = rbac.find((o) => o.kind === 'Role') as { rules: { resources: string[] }[] };
    role.rules = role.rules.filter((rule) => !rule.resources.includes('endpointslices'));
    apply(rbac);
    try {
      const r = await verify(['--deployment', 'graceful', '--url', url]);
      assert.equal(r.code, 2, r.stderr + r.stdout);
      assert.match(
        r.stderr,
        /COULD NOT RUN: "system:serviceaccount:default:zerodrop-verify" may not list, watch endpointslices\.discovery\.k8s\.io in namespace default \(to record the endpoint timeline\)\. Nothing was changed\./,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(generation('graceful'), before);
    } finally {
      apply(documentedRbac());
    }
  });

  test('an unreachable URL: exit 2 before anything is changed', { timeout: 60_000 }, async () => {
    const before = generation('graceful');
    // A port nothing listens on: the one of a server that was just closed.
    const r = await verify(['--deployment', 'graceful', '--url', 'http://127.0.0.1:9/']);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(
      r.stderr,
      /COULD NOT RUN: http:\/\/127\.0\.0\.1:9\/ does not answer \(ECONNREFUSED\) before anything was changed/,
    );
    assert.equal(r.stdout, '');
    assert.equal(generation('graceful'), before);
  });

  test('credentials the API server does not accept: exit 2 saying so', { timeout: 60_000 }, async () => {
    const forged = join(dir, 'forged.kubeconfig');
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const user = kc.getCurrentUser();
    assert.ok(user);
    kc.users = [{ ...user, token: 'not-a-token' }];
    writeFileSync(forged, kc.exportConfig());
    const r = await zerodropAsync(
      ['verify', '--kubeconfig', forged, '--deployment', 'graceful', '--url', 'http://127.0.0.1:9/', '--yes'],
      dir,
    ).done;
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /COULD NOT RUN: checking access: the API server at https:\/\/127\.0\.0\.1:\d+ does not accept these credentials \(401\)/,
    );
  });

  test('no such Deployment: exit 2 naming the ones there are', { timeout: 60_000 }, async () => {
    const r = await verify(['--deployment', 'nope', '--url', 'http://127.0.0.1:9/']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no deployment "nope" in namespace default \(there: drained, graceful, plain, stuck\)/);
  });
});

test('verify: bad usage is exit 2 with the reason, no stack trace', () => {
  const cwd = scratchDir();
  let r = zerodrop(['verify', '--url', 'http://127.0.0.1:9/'], { cwd });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--deployment NAME is required/);
  r = zerodrop(['verify', '--deployment', 'web'], { cwd });
  assert.match(r.stderr, /--url URL is required/);
  r = zerodrop(['verify', '--deployment', 'web', '--url', 'http://x/', '--trigger', 'drain'], { cwd });
  assert.match(r.stderr, /--trigger must be restart, none or drain:NODE, got "drain"/);
  r = zerodrop(['verify', '--deployment', 'web', '--url', 'http://x/', '--rate', '0'], { cwd });
  assert.match(r.stderr, /--rate must be a number >= 1/);
  r = zerodrop(['verify', '--deployment', 'web', '--url', 'ftp://x/', '--kubeconfig', 'nope'], { cwd });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /COULD NOT RUN: --url ftp:\/\/x\/: only http:\/\/ and https:\/\/ are measured/);
  r = zerodrop(['verify', '--deployment', 'web', '--url', 'http://x/', '--kubeconfig', 'nope'], { cwd });
  assert.match(r.stderr, /COULD NOT RUN: --kubeconfig nope: no such file/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
