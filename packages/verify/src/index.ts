export * from './access.js';
export * from './attribution.js';
export * from './differential.js';
export * from './errors.js';
export * from './kubeconfig.js';
export * from './lint.js';
export * from './target.js';
export * from './verify.js';
