/**
 * The node agent on a real control plane (one cluster of two nodes for the file): pods as processes in their own
 * network namespace, their environment, probes, restarts and the kubelet's termination sequence, observed through
 * the API and through marks the app writes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoordinationV1Api, CoreV1Api, DiscoveryV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { DelayedEndpoints, type Endpoint, L7Proxy } from '@zerodrop/rehearse';
import {
  type Cluster,
  clusterUnavailableReason,
  startCluster,
  stopCluster,
  watchServiceEndpoints,
} from '../src/index.js';
import { MERGE_PATCH, watchCollection } from '../src/kube.js';
import { get, POD_APP, readMarks, START_TIMEOUT_MS, tempDir, waitFor } from './support/cluster.js';

const skip = clusterUnavailableReason();

describe('node agent', { skip }, () => {
  let cluster: Cluster;
  let core: CoreV1Api;
  let discovery: DiscoveryV1Api;
  const tmp = tempDir('zerodrop-agent-');
  const marks = (pod: string) => `${tmp.dir}/${pod}.marks`;
  let neverReadySince = 0;

  before(
    async () => {
      // Must not reach any container: a container's environment is its spec's plus PATH, HOME and the like.
      process.env.ZERODROP_TEST_LEAK = 'leaked';
      cluster = await startCluster({ dir: `${tmp.dir}/cluster`, nodes: 2, owner: process.pid });
      delete process.env.ZERODROP_TEST_LEAK;
      core = cluster.kubeConfig().makeApiClient(CoreV1Api);
      discovery = cluster.kubeConfig().makeApiClient(DiscoveryV1Api);
      // A pod whose readiness fails every second for the whole file: the last test counts its Events.
      await createPod('never-ready', {
        containers: [
          appContainer('never-ready', {
            readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 },
          }),
        ],
      });
      neverReadySince = Date.now();
    },
    { timeout: START_TIMEOUT_MS },
  );

  after(async () => {
    await stopCluster(`${tmp.dir}/cluster`);
    tmp.remove();
  });

  function appContainer(pod: string, extra: Partial<V1Container> = {}, env: Record<string, string> = {}): V1Container {
    return {
      name: 'app',
      image: 'example.com/pod-app:1',
      command: ['node', POD_APP],
      ports: [{ name: 'http', containerPort: 8080 }],
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'MARKS', value: marks(pod) },
        ...Object.entries(env).map(([name, value]) => ({ name, value })),
      ],
      readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
      ...extra,
    };
  }

  async function createPod(name: string, spec: Partial<V1Pod['spec']> & { containers: V1Container[] }, labels = {}) {
    await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name, labels }, spec: { terminationGracePeriodSeconds: 30, ...spec } },
    });
  }

  /** Every version of the pods until they are deleted, as a watcher (verify, a controller) sees them. */
  async function recordPods() {
    const versions: V1Pod[] = [];
    const goneAt: Record<string, number> = {};
    const watcher = watchCollection<V1Pod>(
      cluster.kubeConfig(),
      '/api/v1/namespaces/default/pods',
      () => core.listNamespacedPod({ namespace: 'default' }),
      (type, pod) => {
        versions.push(pod);
        if (type === 'delete') goneAt[pod.metadata?.name ?? ''] = Date.now();
      },
    );
    await waitFor('the watch', () => (versions.length > 0 ? true : undefined));
    return {
      gone: (name: string) => waitFor(`${name} gone`, () => goneAt[name], 30_000),
      last: (name: string) => versions.filter((p) => p.metadata?.name === name).at(-1),
      stop: () => watcher.stop(),
    };
  }

  const read = (name: string) => core.readNamespacedPod({ name, namespace: 'default' });
  const ready = async (name: string) => {
    const pod = await read(name);
    return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? pod : undefined;
  };

  test('a pod runs in its own network namespace with its IP, env, working directory and status', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'settings' }, data: { greeting: 'hello' } },
    });
    for (const name of ['net-a', 'net-b']) {
      await createPod(name, {
        containers: [
          appContainer(name, {
            workingDir: tmp.dir,
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
              { name: 'COMBINED', value: '$(GREETING)-$(POD_NAME)-$$(KEPT)' },
            ],
          }),
        ],
      });
    }
    const [a, b] = [
      await waitFor('net-a Ready', () => ready('net-a')),
      await waitFor('net-b Ready', () => ready('net-b')),
    ];
    assert.notEqual(a.status?.podIP, b.status?.podIP);
    assert.ok(a.status?.podIP?.startsWith(cluster.state.podSubnet.replace('0/24', '')), a.status?.podIP);
    assert.equal(a.status?.hostIP, cluster.state.nodeIP);
    assert.equal(a.status?.phase, 'Running');
    const conditions = Object.fromEntries((a.status?.conditions ?? []).map((c) => [c.type, c.status]));
    assert.deepEqual(conditions, {
      PodReadyToStartContainers: 'True',
      Initialized: 'True',
      Ready: 'True',
      ContainersReady: 'True',
      PodScheduled: 'True',
    });
    const container = a.status?.containerStatuses?.[0];
    assert.equal(container?.image, 'example.com/pod-app:1');
    assert.equal(container?.ready, true);
    assert.equal(container?.started, true);
    assert.ok(container?.state?.running?.startedAt);
    // Both bind 0.0.0.0:8080, each in its own namespace.
    const answer = await get(`http://${a.status?.podIP}:8080/env`);
    assert.ok('body' in answer, JSON.stringify(answer));
    const { env, cwd } = JSON.parse(answer.body) as { env: Record<string, string>; cwd: string };
    assert.equal(env.POD_NAME, 'net-a');
    assert.equal(env.POD_NAMESPACE, 'default');
    assert.equal(env.POD_IP, a.status?.podIP);
    assert.equal(env.HOSTNAME, 'net-a');
    assert.equal(env.COMBINED, 'hello-net-a-$(KEPT)');
    assert.ok(env.PATH);
    assert.equal(env.ZERODROP_TEST_LEAK, undefined);
    assert.equal(cwd, tmp.dir);
    const other = await get(`http://${b.status?.podIP}:8080/`);
    assert.deepEqual(other, { status: 200, body: 'net-b\n' });
    await Promise.all(['net-a', 'net-b'].map((name) => core.deleteNamespacedPod({ name, namespace: 'default' })));
  });

  test('deletion: preStop comes out of the grace period, then SIGTERM, SIGKILL at grace with a 2 s floor', {
    timeout: 90_000,
  }, async () => {
    // grace 4, preStop sleep 2: SIGTERM at 2 s, SIGKILL at 4 s. grace 1, a preStop exec of 10 s (a native sleep
    // that long is refused by validation): cut at 1 s, then the 2 s floor.
    await createPod('term-a', {
      terminationGracePeriodSeconds: 4,
      containers: [
        appContainer('term-a', { lifecycle: { preStop: { sleep: { seconds: 2 } } } }, { ON_SIGTERM: 'ignore' }),
      ],
    });
    await createPod('term-b', {
      terminationGracePeriodSeconds: 1,
      containers: [
        appContainer(
          'term-b',
          { lifecycle: { preStop: { exec: { command: ['sleep', '10'] } } } },
          { ON_SIGTERM: 'ignore' },
        ),
      ],
    });
    await waitFor('both Ready', async () => ((await ready('term-a')) && (await ready('term-b')) ? true : undefined));
    const watcher = await recordPods();
    const watching = ['term-a', 'term-b'].map((name) => watcher.gone(name));
    const t0 = Date.now();
    await Promise.all(['term-a', 'term-b'].map((name) => core.deleteNamespacedPod({ name, namespace: 'default' })));
    const [goneA, goneB] = (await Promise.all(watching)).map((t) => (t - t0) / 1000);
    const sigterm = (pod: string) => ((readMarks(marks(pod)).find((m) => m.what === 'sigterm')?.at ?? 0) - t0) / 1000;
    assert.ok(sigterm('term-a') >= 1.8 && sigterm('term-a') < 4, `term-a SIGTERM at ${sigterm('term-a')}s`);
    assert.ok(goneA! >= 3.8 && goneA! < 9, `term-a gone at ${goneA}s`);
    assert.ok(sigterm('term-b') >= 0.9 && sigterm('term-b') < 2.5, `term-b SIGTERM at ${sigterm('term-b')}s`);
    assert.ok(goneB! >= 2.8 && goneB! < 7, `term-b gone at ${goneB}s`);
    watcher.stop();
    // The last status written before the delete: SIGKILLed, so exit code 137 and phase Failed.
    const last = watcher.last('term-a')?.status;
    assert.equal(last?.phase, 'Failed');
    assert.equal(last?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
    assert.equal(last?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
  });

  test('a force delete during a long preStop: gone from the API at once, SIGTERM now, SIGKILL 2 s later', {
    timeout: 60_000,
  }, async () => {
    await createPod('forced', {
      terminationGracePeriodSeconds: 60,
      containers: [
        appContainer('forced', { lifecycle: { preStop: { sleep: { seconds: 50 } } } }, { ON_SIGTERM: 'ignore' }),
      ],
    });
    const pod = await waitFor('forced Ready', () => ready('forced'));
    await core.deleteNamespacedPod({ name: 'forced', namespace: 'default' });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(readMarks(marks('forced')).filter((m) => m.what === 'sigterm').length, 0, 'SIGTERM during preStop');
    const t0 = Date.now();
    await core.deleteNamespacedPod({ name: 'forced', namespace: 'default', gracePeriodSeconds: 0 });
    await assert.rejects(read('forced'), 'the object is gone at once');
    const sigterm = await waitFor(
      'SIGTERM',
      () => readMarks(marks('forced')).find((m) => m.what === 'sigterm'),
      10_000,
    );
    assert.ok(sigterm.at - t0 < 2000, `SIGTERM ${sigterm.at - t0} ms after the force delete`);
    const dead = await waitFor(
      'the app gone',
      async () => ('error' in (await get(`http://${pod.status?.podIP}:8080/`)) ? Date.now() : undefined),
      15_000,
    );
    assert.ok(dead - t0 >= 1500 && dead - t0 < 8000, `gone ${dead - t0} ms after the force delete`);
  });

  test('preStop httpGet and exec run against the pod, before the stop signal; exit 0 ends it Succeeded', {
    timeout: 60_000,
  }, async () => {
    const exec = [
      'node',
      '-e',
      // 127.0.0.1 inside the pod's namespace is the pod itself.
      "require('http').get('http://127.0.0.1:8080/prestop', r => { r.resume(); r.on('end', () => process.exit(0)); })",
    ];
    await createPod('hook-http', {
      containers: [
        appContainer('hook-http', { lifecycle: { preStop: { httpGet: { path: '/prestop', port: 'http' } } } }),
      ],
    });
    await createPod('hook-exec', {
      containers: [appContainer('hook-exec', { lifecycle: { preStop: { exec: { command: exec } } } })],
    });
    await waitFor('both Ready', async () =>
      (await ready('hook-http')) && (await ready('hook-exec')) ? true : undefined,
    );
    const watcher = await recordPods();
    await Promise.all(
      ['hook-http', 'hook-exec'].map((name) => core.deleteNamespacedPod({ name, namespace: 'default' })),
    );
    await Promise.all([watcher.gone('hook-http'), watcher.gone('hook-exec')]);
    watcher.stop();
    const final = watcher.last('hook-http');
    for (const pod of ['hook-http', 'hook-exec']) {
      const order = readMarks(marks(pod)).map((m) => m.what);
      assert.deepEqual(order, ['start', 'prestop', 'sigterm'], pod);
    }
    assert.equal(final?.status?.phase, 'Succeeded');
    assert.equal(final?.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  });

  test('probes: exec and grpc readiness, a failing liveness probe restarts the container, startup gates started', {
    timeout: 90_000,
  }, async () => {
    const execReady = [
      'node',
      '-e',
      "require('http').get('http://127.0.0.1:8080/ready', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))",
    ];
    await createPod('probe-exec', {
      containers: [appContainer('probe-exec', { readinessProbe: { exec: { command: execReady }, periodSeconds: 1 } })],
    });
    await createPod('probe-grpc', {
      containers: [
        appContainer(
          'probe-grpc',
          { readinessProbe: { grpc: { port: 9090 }, periodSeconds: 1, failureThreshold: 1 } },
          { GRPC_PORT: '9090' },
        ),
      ],
    });
    await createPod('probe-live', {
      containers: [
        appContainer('probe-live', {
          livenessProbe: { httpGet: { path: '/live', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
          startupProbe: { httpGet: { path: '/ready', port: 'http' }, initialDelaySeconds: 2, periodSeconds: 1 },
        }),
      ],
    });
    const early = await waitFor('probe-live running', async () => {
      const pod = await read('probe-live');
      return pod.status?.containerStatuses?.[0]?.state?.running ? pod : undefined;
    });
    assert.equal(early.status?.containerStatuses?.[0]?.started, false, 'started before the startup probe passed');
    await waitFor('probe-exec Ready', () => ready('probe-exec'));
    const grpc = await waitFor('probe-grpc Ready', () => ready('probe-grpc'));
    const live = await waitFor('probe-live Ready', () => ready('probe-live'));
    assert.equal(live.status?.containerStatuses?.[0]?.started, true);

    // gRPC NOT_SERVING turns the pod not Ready, without a restart.
    await get(`http://${grpc.status?.podIP}:8080/admin/ready?value=0`);
    await waitFor('probe-grpc not Ready', async () => ((await ready('probe-grpc')) ? undefined : true));
    assert.equal((await read('probe-grpc')).status?.containerStatuses?.[0]?.restartCount, 0);

    // A failing liveness probe: killed (preStop none, SIGTERM, exit), restarted, Ready again.
    await get(`http://${live.status?.podIP}:8080/admin/live?value=0`);
    const restarted = await waitFor(
      'probe-live restarted and Ready',
      async () => {
        const pod = await read('probe-live');
        const c = pod.status?.containerStatuses?.[0];
        return c?.restartCount === 1 && c.ready ? pod : undefined;
      },
      30_000,
    );
    assert.equal(restarted.status?.containerStatuses?.[0]?.lastState?.terminated?.reason, 'Completed');
    assert.equal(readMarks(marks('probe-live')).filter((m) => m.what === 'start').length, 2);
    const events = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=probe-live',
    });
    const reasons = events.items.map((e) => e.reason);
    assert.ok(reasons.includes('Unhealthy') && reasons.includes('Killing'), reasons.join(','));
    // Every failed probe is recorded, below the threshold too, as repeats of one Event (the kubelet's "x2").
    const failed = events.items.filter((e) => e.message === 'Liveness probe failed');
    assert.equal(failed.length, 1, 'the repeats of one Event are counted on it');
    assert.ok((failed[0]?.count ?? 0) >= 2, `liveness failures counted: ${failed[0]?.count}`);
    const grpcFailures = await waitFor('repeated readiness failures of probe-grpc counted on one Event', async () => {
      const list = await core.listNamespacedEvent({
        namespace: 'default',
        fieldSelector: 'involvedObject.name=probe-grpc,reason=Unhealthy',
      });
      return list.items.length === 1 && (list.items[0]?.count ?? 0) >= 3 ? list.items[0] : undefined;
    });
    assert.equal(grpcFailures.message, 'Readiness probe failed');
    assert.ok(grpcFailures.lastTimestamp && grpcFailures.firstTimestamp);
    assert.ok(new Date(grpcFailures.lastTimestamp).getTime() > new Date(grpcFailures.firstTimestamp).getTime());
    await Promise.all(
      ['probe-exec', 'probe-grpc', 'probe-live'].map((name) =>
        core.deleteNamespacedPod({ name, namespace: 'default' }),
      ),
    );
  });

  test('readiness keeps running during termination; the proxy falls back to a serving terminating endpoint', {
    timeout: 90_000,
  }, async () => {
    await core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'kep' },
        spec: { type: 'NodePort', selector: { app: 'kep' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    });
    await createPod(
      'kep-0',
      {
        terminationGracePeriodSeconds: 30,
        containers: [appContainer('kep-0', { lifecycle: { preStop: { sleep: { seconds: 20 } } } })],
      },
      { app: 'kep' },
    );
    const pod = await waitFor('kep-0 Ready', () => ready('kep-0'));
    const url = await cluster.nodePortUrl('kep');
    // What a consumer of the real EndpointSlices sees, change by change.
    const seen: string[] = [];
    const watched = watchServiceEndpoints(cluster.kubeConfig(), { namespace: 'default', service: 'kep', port: 'http' });
    watched.endpoints.on('change', (list: Endpoint[]) =>
      seen.push(list.map((e) => `${e.pod}:${e.ready}/${e.serving}/${e.terminating}`).join(',')),
    );
    await waitFor('the NodePort answers', async () => ('status' in (await get(url)) ? true : undefined), 30_000);
    // Any of rehearse's consumers can follow the real slices: here an L7 proxy (ingress-nginx's model), no delay.
    const ingress = new L7Proxy(new DelayedEndpoints(watched.endpoints, () => 0));
    const ingressPort = await ingress.listen();
    await waitFor('the L7 proxy routes', async () => {
      const r = await get(`http://127.0.0.1:${ingressPort}/`);
      return 'status' in r && r.status === 200 && r.body === 'kep-0\n' ? true : undefined;
    });
    await ingress.close();
    const endpoint = async () => {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace: 'default',
        labelSelector: 'kubernetes.io/service-name=kep',
      });
      return slices.items.flatMap((s) => s.endpoints)[0]?.conditions;
    };
    await core.deleteNamespacedPod({ name: 'kep-0', namespace: 'default' });
    await waitFor('terminating, still serving', async () => {
      const c = await endpoint();
      return c?.terminating && c.serving && !c.ready ? true : undefined;
    });
    // No ready endpoint left: new connections go to the serving terminating one (KEP-1669).
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(await get(url), { status: 200, body: 'kep-0\n' });
    // The readiness probe still runs: the app reports not ready, the endpoint stops serving, nothing is routed.
    await get(`http://${pod.status?.podIP}:8080/admin/ready?value=0`);
    await waitFor('not serving', async () => ((await endpoint())?.serving === false ? true : undefined));
    await new Promise((r) => setTimeout(r, 2500));
    const refused = await get(url);
    assert.ok('error' in refused, `expected no route, got ${JSON.stringify(refused)}`);
    watched.stop();
    assert.deepEqual(seen.slice(-3), ['kep-0:true/true/false', 'kep-0:false/true/true', 'kep-0:false/false/true']);
    assert.equal(watched.endpoints.endpoints[0]?.host, pod.status?.podIP);
    await core.deleteNamespacedService({ name: 'kep', namespace: 'default' });
    await core.deleteNamespacedPod({ name: 'kep-0', namespace: 'default', gracePeriodSeconds: 0 });
  });

  test('restartPolicy and the image: Never keeps a failed exit, OnFailure completes, no command waits', {
    timeout: 60_000,
  }, async () => {
    const exitWith = (code: number): V1Container => ({
      name: 'job',
      image: 'example.com/job:1',
      command: ['node', '-e', `process.exit(${code})`],
    });
    await createPod('never', { restartPolicy: 'Never', containers: [exitWith(3)] });
    await createPod('onfailure', { restartPolicy: 'OnFailure', containers: [exitWith(0)] });
    await createPod('crashing', { containers: [exitWith(1)] });
    await createPod('imageonly', { containers: [{ name: 'app', image: 'nginx:1.27' }] });
    await createPod('init', {
      initContainers: [{ name: 'setup', image: 'busybox', command: ['sh', '-c', `echo init 1 >> ${marks('init')}`] }],
      containers: [appContainer('init')],
    });
    const never = await waitFor('never Failed', async () => {
      const p = await read('never');
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    assert.equal(never.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
    assert.equal(never.status?.containerStatuses?.[0]?.restartCount, 0);
    await waitFor('onfailure Succeeded', async () =>
      (await read('onfailure')).status?.phase === 'Succeeded' ? true : undefined,
    );
    const crashing = await waitFor('crashing in CrashLoopBackOff', async () => {
      const p = await read('crashing');
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    });
    assert.equal(crashing.status?.phase, 'Running');
    assert.ok((crashing.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    const imageOnly = await waitFor('imageonly waiting', async () => {
      const p = await read('imageonly');
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerError' ? p : undefined;
    });
    assert.match(imageOnly.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '', /no command/);
    assert.equal(imageOnly.status?.phase, 'Pending');
    const init = await waitFor('init Ready', () => ready('init'));
    assert.equal(init.status?.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.deepEqual(
      readMarks(marks('init')).map((m) => m.what),
      ['init', 'start'],
    );
    for (const name of ['never', 'onfailure', 'crashing', 'imageonly', 'init']) {
      await core.deleteNamespacedPod({ name, namespace: 'default' });
    }
  });

  test('the nodes stay Ready: their Leases are renewed every 10 s', async () => {
    const coordination = cluster.kubeConfig().makeApiClient(CoordinationV1Api);
    for (const name of ['zerodrop-node-1', 'zerodrop-node-2']) {
      const lease = await coordination.readNamespacedLease({ name, namespace: 'kube-node-lease' });
      const age = Date.now() - new Date(lease.spec?.renewTime as unknown as string).getTime();
      assert.ok(age < 15_000, `${name}'s lease was renewed ${age} ms ago`);
      const node = await core.readNode({ name });
      assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    }
  });

  test('two nodes: a cordoned node gets no new pods', async () => {
    const nodes = (await core.listNode()).items.map((n) => n.metadata?.name);
    assert.deepEqual(nodes.sort(), ['zerodrop-node-1', 'zerodrop-node-2']);
    await core.patchNode({ name: 'zerodrop-node-1', body: { spec: { unschedulable: true } } }, MERGE_PATCH);
    for (const name of ['spread-a', 'spread-b']) await createPod(name, { containers: [appContainer(name)] });
    for (const name of ['spread-a', 'spread-b']) {
      const pod = await waitFor(`${name} Ready`, () => ready(name));
      assert.equal(pod.spec?.nodeName, 'zerodrop-node-2');
    }
  });

  test('a pod failing its readiness probe for 45 s: 25 Unhealthy events counted, the rest dropped', async () => {
    // The kubelet's recorder lets 25 events of a type through per pod, then one every 5 minutes.
    await waitFor(
      'a minute of failed probes',
      () => (Date.now() - neverReadySince > 45_000 ? true : undefined),
      60_000,
    );
    const events = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=never-ready,reason=Unhealthy',
    });
    assert.equal(events.items.length, 1, 'the repeats are counted on one Event');
    assert.equal(events.items[0]?.message, 'Readiness probe failed');
    assert.equal(events.items[0]?.count, 25, 'counted up to the burst, the rest dropped');
    await core.deleteNamespacedPod({ name: 'never-ready', namespace: 'default', gracePeriodSeconds: 0 });
  });
});
