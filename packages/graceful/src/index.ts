export type { HttpCheckOptions, PostgresLike, RedisLike, TcpCheckOptions } from './checks/index.js';
export { httpCheck, postgresCheck, redisCheck, tcpCheck } from './checks/index.js';
export type { InFlightRequest, OpenSummary } from './connections.js';
export { GracefulError, type GracefulErrorCode } from './errors.js';
export type { GracefulEvents, GracefulState, NodeServer, ShutdownOptions, ShutdownResult } from './graceful.js';
export { GracefulHandle, graceful } from './graceful.js';
export type { CheckResult, ReadinessReport } from './health.js';
export { jsonLogger, type Logger } from './logger.js';
export type {
  CheckDefinition,
  CheckFunction,
  GracefulOptions,
  ProbePaths,
  ShutdownHook,
  ShutdownHookDefinition,
  ShutdownHookFunction,
} from './options.js';
export { DEFAULTS, ENVIRONMENT } from './options.js';
export { PRELOAD_ENVIRONMENT } from './preload.js';
