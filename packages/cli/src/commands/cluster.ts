import {
  ClusterError,
  type ClusterStatus,
  clusterStatus,
  DEFAULT_CLUSTER_DIR,
  ETCD_VERSION,
  ensureBinaries,
  KUBERNETES_VERSION,
  startCluster,
  stopCluster,
} from '@zerodrop/cluster';
import { UsageError } from '../errors.js';
import type { Command } from '../main.js';
import { parseArgs } from '../options.js';

const help = `Usage: zerodrop cluster start | stop | status | build [--dir DIR] [options]

A real Kubernetes control plane on this machine, with a node agent that runs pods as local processes.
  start    build the binaries once (Kubernetes ${KUBERNETES_VERSION} and etcd ${ETCD_VERSION} from Go modules, into
           $XDG_CACHE_HOME/zerodrop/kubernetes/${KUBERNETES_VERSION}, 5 to 15 minutes on 2 cores the first time), then
           start etcd, kube-apiserver, kube-controller-manager, kube-scheduler and the node agent; returns when
           every node is Ready and /readyz is ok. Each start begins with an empty cluster.
  stop     stop every process, pod, network namespace, veth and bridge of the cluster (also after a crash)
  status   what runs, whether the apiserver is ready, which nodes are Ready (exit 0 running, 1 not)
  build    only build (or find) the binaries and print their folder, e.g. in a CI image

Options:
  --dir <dir>      the cluster's folder (default ${DEFAULT_CLUSTER_DIR}): DIR/kubeconfig, DIR/bin/kubectl, DIR/logs
  --nodes <n>      start: how many nodes the agent registers (default 1)
  --json           status: print the status as JSON

Pods run their containers' command/args (the image is recorded, not pulled) in their own network namespace and
IP, which needs root. NodePort Services are served on 127.0.0.1:<nodePort>. Without Go, set
ZERODROP_KUBERNETES_BIN to a folder with etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl.

Exit status: 0 done, 1 status: not running, 2 could not start (no Go, not root, a component failed).

Examples:
  sudo zerodrop cluster start
  .zerodrop/cluster/bin/kubectl --kubeconfig .zerodrop/cluster/kubeconfig apply -f k8s/
  zerodrop cluster stop`;

function printStatus(status: ClusterStatus): void {
  if (!status.state) {
    console.log(`zerodrop cluster: not running (${status.dir})`);
    return;
  }
  const { state } = status;
  console.log(`zerodrop cluster: ${status.running ? 'running' : 'NOT running'} (${status.dir})`);
  console.log(`  apiserver   ${state.apiserverUrl}  /readyz ${status.apiserverReady ? 'ok' : 'not ready'}`);
  console.log(`  kubeconfig  ${status.dir}/kubeconfig`);
  console.log(`  kubectl     ${status.dir}/bin/kubectl`);
  const nodes = status.nodes.map((n) => `${n.name}${n.ready ? '' : ' (NotReady)'}`).join(', ');
  console.log(`  nodes       ${nodes || 'none'}  address ${state.nodeIP}, pods ${state.podSubnet}`);
  console.log(`  NodePorts   http://127.0.0.1:<nodePort> (and ${state.nodeIP}:<nodePort>)`);
  for (const p of status.processes) console.log(`  ${p.name.padEnd(24)} pid ${p.pid}${p.alive ? '' : '  EXITED'}`);
}

async function run(args: string[]): Promise<number> {
  const { paths, flags } = parseArgs(args, ['dir', 'nodes'], ['json']);
  const [action, ...extra] = paths;
  if (!action) throw new UsageError('say what to do: start, stop, status or build');
  if (extra.length > 0) throw new UsageError(`unexpected "${extra[0]}"`);
  const dir = typeof flags.get('dir') === 'string' ? (flags.get('dir') as string) : DEFAULT_CLUSTER_DIR;
  const nodesFlag = flags.get('nodes');
  const nodes = nodesFlag === undefined ? 1 : Number(nodesFlag);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 20) {
    throw new UsageError(`--nodes must be an integer from 1 to 20, got "${nodesFlag}"`);
  }
  try {
    switch (action) {
      case 'start': {
        // Ctrl-C while starting: stop what was started, leave nothing behind.
        const abort = new AbortController();
        const onSigint = () => abort.abort();
        process.once('SIGINT', onSigint);
        process.once('SIGTERM', onSigint);
        const cluster = await startCluster({
          dir,
          nodes,
          signal: abort.signal,
          onLog: (line) => console.error(`zerodrop cluster: ${line}`),
        }).finally(() => {
          process.off('SIGINT', onSigint);
          process.off('SIGTERM', onSigint);
        });
        printStatus(await clusterStatus(cluster.dir));
        console.log(`  stop with   zerodrop cluster stop --dir ${cluster.dir}`);
        return 0;
      }
      case 'stop': {
        const { wasRunning } = await stopCluster(dir);
        console.log(`zerodrop cluster: ${wasRunning ? 'stopped' : 'was not running; cleaned up'} (${dir})`);
        return 0;
      }
      case 'build': {
        console.log(await ensureBinaries({ onLog: (line) => console.error(`zerodrop cluster: ${line}`) }));
        return 0;
      }
      case 'status': {
        const status = await clusterStatus(dir);
        if (flags.has('json')) console.log(JSON.stringify(status, null, 2));
        else printStatus(status);
        return status.running ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown action "${action}": start, stop, status or build`);
    }
  } catch (error) {
    if (error instanceof ClusterError) {
      console.error(`zerodrop cluster: ${error.message}`);
      return /^interrupted/.test(error.message) ? 130 : 2;
    }
    throw error;
  }
}

export const command: Command = { help, run };
