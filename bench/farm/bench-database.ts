import { randomBytes } from 'node:crypto';
import { createPool, ensureDatabase, migrate, type Pool, splitDatabaseUrl } from '@satfarm/db';
import pg from 'pg';

export interface BenchDatabase {
  url: string;
  name: string;
  pool: Pool;
  /** Closes the pool and drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/** A fresh, migrated database on the server of `baseUrl`, under a unique name. */
export async function createBenchDatabase(baseUrl: string): Promise<BenchDatabase> {
  const name = `satfarm_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const parsed = new URL(baseUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  await ensureDatabase(url);
  const pool = createPool(url, { max: 4, applicationName: 'satfarm-bench' });
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await pool.end();
    const admin = createPool(splitDatabaseUrl(url).adminUrl, { max: 1, applicationName: 'satfarm-bench' });
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
  try {
    await migrate(pool);
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, name, pool, drop };
}
