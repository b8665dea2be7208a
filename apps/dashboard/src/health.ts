import type { Pool } from '@satfarm/db';

/** How long /healthz waits for a connection, and then for `SELECT 1`, before it reports the database away. */
const HEALTH_TIMEOUT_MS = 2_000;

/**
 * A one-connection pool beside the dashboard's own, for `/healthz` only: with every pooled
 * connection busy on heavy pages a health probe would otherwise queue behind them and report a
 * busy dashboard as a dead database. Same settings as `pool` (whoever built it), one connection.
 */
export function healthPoolFor(pool: Pool): Pool {
  const PoolClass = pool.constructor as new (config: Pool['options']) => Pool;
  const health = new PoolClass({
    ...pool.options,
    max: 1,
    connectionTimeoutMillis: HEALTH_TIMEOUT_MS,
    query_timeout: HEALTH_TIMEOUT_MS,
    application_name: 'satfarm-dashboard-health',
  });
  // An idle connection the server ended (restart): the pool already dropped it, the next probe reconnects.
  health.on('error', () => {});
  return health;
}

/**
 * Resolves when PostgreSQL answers `SELECT 1` on the health connection within HEALTH_TIMEOUT_MS.
 * A connection that failed or did not answer in time is dropped, never handed to the next probe.
 */
export async function checkHealth(health: Pool): Promise<void> {
  const client = await health.connect();
  // The server may end the connection while we hold it: the query then fails, nothing crashes.
  const ignore = () => {};
  client.on('error', ignore);
  let answered = false;
  try {
    await client.query('SELECT 1');
    answered = true;
  } finally {
    client.off('error', ignore);
    client.release(!answered);
  }
}
