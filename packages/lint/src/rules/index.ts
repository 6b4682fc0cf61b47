// The rule registry: one line per rule. Adding a rule = its file here, its doc page, its test file, and this line.
export { rule as cpuLimitSet } from './cpu-limit-set.js';
export { rule as gracePeriodTooShort } from './grace-period-too-short.js';
export { rule as imageTagUnpinned } from './image-tag-unpinned.js';
export { rule as lbDeregistrationExceedsPrestop } from './lb-deregistration-exceeds-prestop.js';
export { rule as lbHealthCheckMismatch } from './lb-health-check-mismatch.js';
export { rule as livenessChecksDependencies } from './liveness-checks-dependencies.js';
export { rule as livenessSameAsReadiness } from './liveness-same-as-readiness.js';
export { rule as memoryLimitMissing } from './memory-limit-missing.js';
export { rule as pdbBlocksEviction } from './pdb-blocks-eviction.js';
export { rule as pdbMissing } from './pdb-missing.js';
export { rule as pdbMultiple } from './pdb-multiple.js';
export { rule as pdbSelectsNothing } from './pdb-selects-nothing.js';
export { rule as prestopMissing } from './prestop-missing.js';
export { rule as prestopShorterThanPropagation } from './prestop-shorter-than-propagation.js';
export { rule as readinessProbeMissing } from './readiness-probe-missing.js';
export { rule as rolloutMaxUnavailable } from './rollout-max-unavailable.js';
export { rule as signalsNotForwarded } from './signals-not-forwarded.js';
