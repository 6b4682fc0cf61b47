export { ContainerRuntime, MINIMUM_GRACE_SECONDS, sigkillDelayMs } from './agent/container.js';
export { containerEnv, EnvError, expandReferences, fieldValue } from './agent/env.js';
export { NodeAgent, type NodeAgentOptions } from './agent/node-agent.js';
export { type PodEvent, PodWorker } from './agent/pod-worker.js';
export { type PodPhase, podConditions, podPhase } from './agent/status.js';
export * from './binaries.js';
export * from './cluster.js';
export { CONTROLLERS, SERVICE_SUBNET } from './control-plane.js';
export * from './drain.js';
export * from './errors.js';
export {
  API_CALL_TIMEOUT_MS,
  ApiTimeoutError,
  bounded,
  statusCodeOf,
  statusMessageOf,
  watchCollection,
} from './kube.js';
export { type ClusterLayout, type ClusterState, clusterLayout, DEFAULT_CLUSTER_DIR, readState } from './layout.js';
export { PodNetwork, type PodSandbox, type Subnet } from './network.js';
export { ensurePki, issueCertificate, pkiPaths } from './pki.js';
export * from './rollout.js';
export * from './service-proxy.js';
export * from './timeline.js';
