import { createPool, type Pool } from '@satfarm/db';
import { checkRedis, openFarmQueues, type FarmQueues } from '@satfarm/queue';
import type { SatfarmEnv } from './env.ts';

export interface FarmContext {
  pool: Pool;
  queues: FarmQueues;
}

/**
 * PostgreSQL and the BullMQ queues for one command. Redis is checked first so an unreachable server
 * gives one clear line (URL without its password, how to start it) instead of endless reconnects.
 */
export async function withFarm<T>(env: SatfarmEnv, fn: (farm: FarmContext) => Promise<T>): Promise<T> {
  await checkRedis(env.redisUrl, 3_000);
  const pool = createPool(env.databaseUrl, { applicationName: 'satfarm-cli' });
  const queues = openFarmQueues({ redisUrl: env.redisUrl });
  try {
    return await fn({ pool, queues });
  } finally {
    await queues.close();
    await pool.end();
  }
}
