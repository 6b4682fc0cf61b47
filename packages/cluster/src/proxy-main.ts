/**
 * The kube-proxy model's daemon of `zerodrop cluster start`: `node proxy-main.js --dir <cluster folder>`. Serves
 * every NodePort of the cluster recorded in the folder's state.json on 127.0.0.1 and the node address until SIGTERM.
 * A process of its own, as kube-proxy is, so that the node agent's work (starting and stopping pods) never holds up
 * the connections it forwards.
 */
import { daemonContext } from './daemon.js';
import { type ProxyUpdate, ServiceProxy } from './service-proxy.js';

const { state, kubeConfig, log } = daemonContext('proxy-main.js');
const proxy = new ServiceProxy({ kubeConfig, addresses: ['127.0.0.1', state.nodeIP] });
proxy.on('update', (u: ProxyUpdate) =>
  log(
    `proxy ${u.namespace}/${u.service} :${u.nodePort} -> ${u.endpoints.map((e) => `${e.pod}${e.ready ? '' : e.serving ? '(terminating)' : '(not ready)'}`).join(' ') || 'nothing'}`,
  ),
);
proxy.on('listen-error', (e) => log(`proxy cannot listen on ${e.address}:${e.nodePort}: ${e.error.message}`));

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await proxy.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

proxy.start();
log(`kube-proxy model serving NodePorts on 127.0.0.1 and ${state.nodeIP}`);
