/** What the cluster's own daemons (the node agent, the kube-proxy model) start from: `--dir`, its state, a client. */
import { KubeConfig } from '@kubernetes/client-node';
import { type ClusterLayout, type ClusterState, clusterLayout, readState } from './layout.js';

export interface DaemonContext {
  layout: ClusterLayout;
  state: ClusterState;
  kubeConfig: KubeConfig;
  /** A line of the daemon's log, with its time. */
  log: (line: string) => void;
}

/** Reads `--dir` from the command line and the cluster recorded there; exits 2 with a message when either is missing. */
export function daemonContext(program: string): DaemonContext {
  const at = process.argv.indexOf('--dir');
  const dir = at === -1 ? undefined : process.argv[at + 1];
  if (!dir) {
    console.error(`usage: node ${program} --dir <cluster folder>`);
    process.exit(2);
  }
  const layout = clusterLayout(dir, false);
  const state = readState(layout);
  if (!state) {
    console.error(`no cluster state in ${layout.dir}`);
    process.exit(2);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(layout.kubeconfig);
  return { layout, state, kubeConfig, log: (line) => console.log(`${new Date().toISOString()} ${line}`) };
}
