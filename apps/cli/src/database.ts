import { createPool, type Pool } from '@satfarm/db';

/** Opens a pool for one command and always closes it, so the process can exit. */
export async function withPool<T>(databaseUrl: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(databaseUrl, { applicationName: 'satfarm-cli' });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}
