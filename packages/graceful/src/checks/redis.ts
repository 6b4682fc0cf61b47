import type { CheckFunction } from '../options.js';

/** What the Redis check needs: an `ioredis` or `redis` (node-redis) client, or anything with `ping()`. */
export interface RedisLike {
  ping(): Promise<unknown>;
}

/** Readiness check for Redis: `PING` must answer `PONG`. */
export function redisCheck(client: RedisLike): CheckFunction {
  return async () => {
    const reply = await client.ping();
    if (reply !== 'PONG') throw new Error(`redis PING answered ${JSON.stringify(reply)} instead of "PONG"`);
  };
}
