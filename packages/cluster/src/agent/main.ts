/**
 * The node agent daemon of `zerodrop cluster start`: `node main.js --dir <cluster folder>`. Runs the NodeAgent for
 * the cluster recorded in the folder's state.json until SIGTERM, then kills its pods. The kube-proxy model is a
 * process of its own (`../proxy-main.ts`), as kube-proxy is: starting and stopping pods never stalls the NodePorts.
 */
import { join } from 'node:path';
import { daemonContext } from '../daemon.js';
import { PodNetwork } from '../network.js';
import { NodeAgent } from './node-agent.js';

const { layout, state, kubeConfig, log } = daemonContext('main.js');
const [base] = state.podSubnet.split('.0/');
const network = new PodNetwork(state.prefix, {
  cidr: state.podSubnet,
  gateway: state.nodeIP,
  base: base as string,
});
const agent = new NodeAgent({
  kubeConfig,
  nodes: state.nodes,
  network,
  nodeIP: state.nodeIP,
  logDir: join(layout.logs, 'pods'),
});
agent.on('pod-event', (e) => log(`${e.namespace}/${e.pod} ${e.type} ${e.reason}: ${e.message}`));

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping: killing every pod');
  await agent.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

await agent.start();
log(`node agent serving ${state.nodes.join(', ')} at ${state.nodeIP}`);
