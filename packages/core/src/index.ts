export * from './intstr.js';
export * from './probes.js';
export * from './profiles.js';
export * from './rollout.js';
export * from './timeline.js';
