/**
 * etcd, kube-apiserver, kube-controller-manager and kube-scheduler: their flags, their kubeconfigs and the waits
 * until each answers. The control plane listens on loopback only, on ports picked free at start.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import type { ClusterLayout } from './layout.js';
import type { ClientName, ClusterPki } from './pki.js';

/** Controllers the node agent's pods need, plus the node-lifecycle and pod-GC ones a real cluster runs. */
export const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'disruption-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'node-lifecycle-controller',
  'taint-eviction-controller',
  'pod-garbage-collector-controller',
];

export const SERVICE_SUBNET = '198.19.0.0/16';

/** A free loopback port (the kernel's pick; the process that binds it next is ours in all but rare races). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Writes a kubeconfig with a client certificate (embedded, so the file alone is enough). */
export function writeKubeconfig(file: string, server: string, pki: ClusterPki, client: ClientName): void {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  const { cert, key } = pki.client(client);
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: zerodrop',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    'users:',
    `- name: ${client}`,
    '  user:',
    `    client-certificate-data: ${b64(cert)}`,
    `    client-key-data: ${b64(key)}`,
    'contexts:',
    '- name: zerodrop',
    '  context:',
    '    cluster: zerodrop',
    `    user: ${client}`,
    '    namespace: default',
    'current-context: zerodrop',
    '',
  ].join('\n');
  writeFileSync(file, text, { mode: 0o600 });
}

export function etcdArgs(layout: ClusterLayout, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=zerodrop',
    `--data-dir=${layout.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=zerodrop=${peer}`,
    '--initial-cluster-state=new',
    // The data is the cluster's for one start only: durability buys nothing, fsyncs cost seconds on a busy disk.
    '--unsafe-no-fsync',
    '--log-level=warn',
    '--quota-backend-bytes=1073741824',
  ];
}

export function apiserverArgs(
  pki: ClusterPki,
  options: { etcdUrl: string; port: number; advertiseAddress: string },
): string[] {
  return [
    `--etcd-servers=${options.etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${options.port}`,
    `--advertise-address=${options.advertiseAddress}`,
    // No kubernetes Service endpoints: the apiserver is on loopback, which an EndpointSlice may not name.
    '--endpoint-reconciler-type=none',
    `--service-cluster-ip-range=${SERVICE_SUBNET}`,
    `--tls-cert-file=${pki.apiserverCert}`,
    `--tls-private-key-file=${pki.apiserverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    // One client (the node agent) and a few controllers: API priority and fairness only costs start time here.
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--v=0',
  ];
}

export function controllerManagerArgs(layout: ClusterLayout, pki: ClusterPki): string[] {
  return [
    `--kubeconfig=${layout.componentKubeconfig('controller-manager')}`,
    `--controllers=${CONTROLLERS.join(',')}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    // Each controller acts as its own service account, with the bootstrap RBAC roles made for it (as kubeadm).
    '--use-service-account-credentials=true',
    '--leader-elect=false',
    // No serving port: nothing scrapes it, and a fixed default port would clash between clusters.
    '--secure-port=0',
    '--v=0',
  ];
}

export function schedulerArgs(layout: ClusterLayout): string[] {
  return [
    `--kubeconfig=${layout.componentKubeconfig('scheduler')}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--v=0',
  ];
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** GET; resolves to status and body, or undefined when nothing answered in time. */
function get(url: string, tls: https.RequestOptions | undefined, timeoutMs: number): Promise<HttpAnswer | undefined> {
  return new Promise((resolve) => {
    const callback = (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    };
    const options = { ...tls, agent: false, timeout: timeoutMs };
    const req = tls ? https.get(url, options, callback) : http.get(url, options, callback);
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** GET from the apiserver with the admin certificate. */
export function apiGet(url: string, pki: ClusterPki, timeoutMs = 2000): Promise<HttpAnswer | undefined> {
  const { cert, key } = pki.client('admin');
  const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(cert), key: readFileSync(key) };
  return get(url, tls, timeoutMs);
}

/** GET over plain HTTP on loopback (etcd's /health). */
export function httpGet(url: string, timeoutMs = 2000): Promise<HttpAnswer | undefined> {
  return get(url, undefined, timeoutMs);
}

/** The last lines of a component's log, for an error message. */
export function logTail(layout: ClusterLayout, name: string, lines = 12): string {
  try {
    const text = readFileSync(join(layout.logs, `${name}.log`), 'utf8')
      .trimEnd()
      .split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
