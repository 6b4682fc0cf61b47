/**
 * The differential check on a few cases: each manifest rolled out by rehearse's built-in models and by the real
 * control plane of a local cluster (real kube-controller-manager, the node agent, the kube-proxy model), and the
 * two runs' shapes — steps of pod creations and deletions, surge and unavailability reached, new pods Ready — equal.
 * The cases are those whose steps do not hang on which of two nearly simultaneous events comes first (one with an
 * old pod not Ready, which the ReplicaSet controller must delete first); the whole
 * matrix is bench/differential.ts. Without root or Go the file reports itself skipped with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Cluster, clusterUnavailableReason, startCluster, stopCluster } from '@zerodrop/cluster';
import { stepsText } from '@zerodrop/rehearse';
import { type DifferentialCase, differential } from '../src/differential.js';

const skip = clusterUnavailableReason();
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const app = join(repo, 'packages', 'verify', 'dist', 'test', 'fixtures', 'web.js');
/** Light load: the shapes are what is compared; drops only need some requests. */
const LOAD = { load: { rate: 40, connections: 4 }, warmupMs: 1000, settleMs: 1000 };

describe('the built-in models against the real control plane', { skip }, () => {
  let cluster: Cluster | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'zerodrop-differential-'));

  before(
    async () => {
      cluster = await startCluster({ dir: join(dir, 'cluster'), owner: process.pid });
    },
    { timeout: 20 * 60_000 },
  );

  after(async () => {
    await stopCluster(join(dir, 'cluster'));
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: { c: DifferentialCase; steps: string }[] = [
    {
      c: {
        name: '1/0 ×3',
        replicas: 3,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      },
      steps: '+1 new, -1 old, +1 new, -1 old, +1 new, -1 old',
    },
    {
      c: {
        name: '0/1 ×3',
        replicas: 3,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      },
      steps: '-1 old, +1 new, -1 old, +1 new, -1 old, +1 new',
    },
    { c: { name: 'Recreate ×3', replicas: 3, strategy: { type: 'Recreate' } }, steps: '-3 old, +3 new' },
    {
      // The old pod that is not Ready goes first (cleanupUnhealthyReplicas, then the ActivePods ranking).
      c: {
        name: '1/0 ×3, one old pod not Ready',
        replicas: 3,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        oldPodNotReady: true,
      },
      steps: '+1 new, -1 old not-ready, +1 new, -1 old, +1 new, -1 old',
    },
  ];
  for (const [i, { c, steps }] of cases.entries()) {
    test(`${c.name}: the same steps, surge and unavailability on both`, { timeout: 6 * 60_000 }, async () => {
      assert.ok(cluster);
      const d = await differential(c, `differential-${i + 1}`, cluster, {
        app: { command: [process.execPath, app], cwd: repo },
        dir,
        ...LOAD,
      });
      for (const run of [d.model, d.real]) {
        assert.equal(run.result.outcome?.status, 'completed', run.result.outcome?.message);
        assert.ok(run.result.requests.total > 0);
      }
      assert.equal(stepsText(d.model.shape.steps), steps);
      assert.deepEqual(d.differences, [], d.differences.join('\n'));
      assert.equal(d.real.shape.newReady, c.replicas);
    });
  }
});
