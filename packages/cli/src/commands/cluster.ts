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
import { type CommandSpec, type OptionSpec, type ParsedArgs, parseArgs } from '../spec.js';

const DIR: OptionSpec = {
  name: 'dir',
  value: '<dir>',
  description: "the cluster's folder: DIR/kubeconfig, DIR/bin/kubectl, DIR/logs",
  default: DEFAULT_CLUSTER_DIR,
};

const FOOTER = [
  "Pods run their containers' command/args (the image is recorded, not pulled) in their own network namespace and",
  'IP, which needs root. NodePort Services are served on 127.0.0.1:<nodePort>. Without Go, set',
  'ZERODROP_KUBERNETES_BIN to a folder with etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl.',
];

const spec: CommandSpec = {
  name: 'cluster',
  summary: 'a real Kubernetes control plane on this machine, with a node agent that runs pods as local processes',
  usage: '<start | stop | status | build> [options]',
  description: 'A real Kubernetes control plane on this machine, with a node agent that runs pods as local processes.',
  groups: [],
  examples: [
    'sudo zerodrop cluster start',
    '.zerodrop/cluster/bin/kubectl --kubeconfig .zerodrop/cluster/kubeconfig apply -f k8s/',
    'zerodrop cluster stop',
  ],
  footer: FOOTER,
};

const startSpec: CommandSpec = {
  name: 'cluster start',
  summary: 'build the binaries once, then start the control plane and the node agent',
  usage: '[options]',
  description: `Builds the binaries once (Kubernetes ${KUBERNETES_VERSION} and etcd ${ETCD_VERSION} from Go modules, into
$XDG_CACHE_HOME/zerodrop/kubernetes/${KUBERNETES_VERSION}, 5 to 15 minutes on 2 cores the first time), then starts etcd,
kube-apiserver, kube-controller-manager, kube-scheduler and the node agent; returns when every node is Ready and
/readyz is ok. Each start begins with an empty cluster.`,
  groups: [
    {
      title: 'Options',
      options: [DIR, { name: 'nodes', value: '<n>', description: 'how many nodes the agent registers', default: '1' }],
    },
  ],
  exitCodes: '0 running, 2 could not start (no Go, not root, a component failed), 130 interrupted.',
  footer: FOOTER,
};

const stopSpec: CommandSpec = {
  name: 'cluster stop',
  summary: 'stop every process, pod, network namespace, veth and bridge of the cluster (also after a crash)',
  usage: '[options]',
  groups: [{ title: 'Options', options: [DIR] }],
  exitCodes: '0 stopped (or nothing was running), 2 could not stop.',
};

const statusSpec: CommandSpec = {
  name: 'cluster status',
  summary: 'what runs, whether the apiserver is ready, which nodes are Ready',
  usage: '[options]',
  groups: [{ title: 'Options', options: [DIR, { name: 'json', description: 'print the status as JSON' }] }],
  exitCodes: '0 running, 1 not running.',
};

const buildSpec: CommandSpec = {
  name: 'cluster build',
  summary: 'only build (or find) the binaries and print their folder, e.g. in a CI image',
  usage: '',
  groups: [],
  exitCodes: '0 built, 2 could not build.',
};

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

/** The folder from --dir, else the default. */
function dirFrom(flags: ParsedArgs['flags']): string {
  const dir = flags.get('dir');
  return typeof dir === 'string' ? dir : DEFAULT_CLUSTER_DIR;
}

/** Runs an action; a ClusterError is its message and exit 2 (130 when interrupted), not a stack trace. */
async function reporting(action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ClusterError) {
      console.error(`zerodrop cluster: ${error.message}`);
      return /^interrupted/.test(error.message) ? 130 : 2;
    }
    throw error;
  }
}

const start: Command = {
  spec: startSpec,
  async run(args) {
    const { flags } = parseArgs(args, startSpec);
    const nodesFlag = flags.get('nodes');
    const nodes = nodesFlag === undefined ? 1 : Number(nodesFlag);
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 20) {
      throw new UsageError(`--nodes must be an integer from 1 to 20, got "${nodesFlag}"`);
    }
    return reporting(async () => {
      // Ctrl-C while starting: stop what was started, leave nothing behind.
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigint);
      const cluster = await startCluster({
        dir: dirFrom(flags),
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
    });
  },
};

const stop: Command = {
  spec: stopSpec,
  async run(args) {
    const dir = dirFrom(parseArgs(args, stopSpec).flags);
    return reporting(async () => {
      const { wasRunning } = await stopCluster(dir);
      console.log(`zerodrop cluster: ${wasRunning ? 'stopped' : 'was not running; cleaned up'} (${dir})`);
      return 0;
    });
  },
};

const status: Command = {
  spec: statusSpec,
  async run(args) {
    const { flags } = parseArgs(args, statusSpec);
    return reporting(async () => {
      const current = await clusterStatus(dirFrom(flags));
      if (flags.has('json')) console.log(JSON.stringify(current, null, 2));
      else printStatus(current);
      return current.running ? 0 : 1;
    });
  },
};

const build: Command = {
  spec: buildSpec,
  async run(args) {
    parseArgs(args, buildSpec);
    return reporting(async () => {
      console.log(await ensureBinaries({ onLog: (line) => console.error(`zerodrop cluster: ${line}`) }));
      return 0;
    });
  },
};

export const command: Command = { spec, subcommands: { start, stop, status, build } };
