export { type HttpCheckOptions, httpCheck } from './http.js';
export { type PostgresLike, postgresCheck } from './postgres.js';
export { type RedisLike, redisCheck } from './redis.js';
export { type TcpCheckOptions, tcpCheck } from './tcp.js';
