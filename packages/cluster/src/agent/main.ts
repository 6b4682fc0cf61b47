/**
 * The node agent daemon of `zerodrop cluster start`: `node main.js --dir <cluster folder>`. Runs the NodeAgent and
 * the ServiceProxy for the cluster recorded in the folder's state.json until SIGTERM, then kills its pods.
 */
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { clusterLayout, readState } from '../layout.js';
import { PodNetwork } from '../network.js';
import { ServiceProxy } from '../service-proxy.js';
import { NodeAgent } from './node-agent.js';

const dirAt = process.argv.indexOf('--dir');
const dir = dirAt === -1 ? undefined : process.argv[dirAt + 1];
if (!dir) {
  console.error('usage: node main.js --dir <cluster folder>');
  process.exit(2);
}
const layout = clusterLayout(dir, false);
const state = readState(layout);
if (!state) {
  console.error(`no cluster state in ${layout.dir}`);
  process.exit(2);
}
const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(layout.kubeconfig);
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
const proxy = new ServiceProxy({ kubeConfig, addresses: ['127.0.0.1', state.nodeIP] });
proxy.on('update', (u) =>
  log(
    `proxy ${u.namespace}/${u.service} :${u.nodePort} -> ${u.endpoints.map((e: { pod: string; ready: boolean; serving: boolean; terminating: boolean }) => `${e.pod}${e.ready ? '' : e.serving ? '(terminating)' : '(not ready)'}`).join(' ') || 'nothing'}`,
  ),
);
proxy.on('listen-error', (e) => log(`proxy cannot listen on ${e.address}:${e.nodePort}: ${e.error.message}`));

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping: killing every pod');
  await Promise.allSettled([agent.stop(), proxy.stop()]);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

await agent.start();
proxy.start();
log(`node agent serving ${state.nodes.join(', ')} at ${state.nodeIP}`);
