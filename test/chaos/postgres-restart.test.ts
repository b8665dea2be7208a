/**
 * PostgreSQL ending connections (what a restart or `pg_terminate_backend` does): a process holding a
 * connection between two queries must see an error, not crash; the aggregator must keep writing once
 * the server answers again, losing no result.
 */
import type { EpochResult, ResultEvent } from '@satfarm/contracts';
import { parseSweepSpec } from '@satfarm/contracts';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import { createPool, createSweep, type Pool, withTransaction } from '@satfarm/db';
import { type AggregatorHandle, startAggregator } from '@satfarm/aggregator';
import { type FarmQueues, openFarmQueues, publishResults } from '@satfarm/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = { info() {}, warn() {}, error() {} };

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

/** Ends every connection to the test database except the caller's, as a server restart would. */
async function terminateConnections(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [db.name],
  );
  return rows[0]!.n;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a connection PostgreSQL ends while it is held', () => {
  it('fails the next query instead of crashing the process, and the pool recovers', async () => {
    const pool: Pool = createPool(db.url, { max: 1 });
    try {
      const attempt = withTransaction(pool, async (client) => {
        await client.query('SELECT 1');
        expect(await terminateConnections()).toBe(1);
        // Between two queries: the connection's 'error' arrives now, with no query to deliver it to.
        await new Promise((r) => setTimeout(r, 300));
        await client.query('SELECT 2');
      });
      await expect(attempt).rejects.toThrow(/terminat|not queryable/i);
      // The dead connection was dropped: the single-slot pool hands out a fresh one.
      const { rows } = await pool.query<{ ok: number }>('SELECT 1 AS ok');
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
    }
  });
});

describe('the aggregator across a PostgreSQL restart', () => {
  let queues: FarmQueues;
  let aggregator: AggregatorHandle | undefined;
  let prefix: string;
  beforeEach(() => {
    prefix = `satfarm-test-pg-restart-${process.pid}-${Date.now()}`;
    queues = openFarmQueues({ redisUrl: REDIS_URL, prefix });
  });
  afterEach(async () => {
    await aggregator?.close();
    aggregator = undefined;
    await queues.obliterate().catch(() => {});
    await queues.close();
  });

  function epoch(n: number): EpochResult {
    const layer = {
      name: 'conv1',
      index: 0,
      kind: 'conv' as const,
      width: 4,
      receptiveField: 3,
      unproductive: false,
    };
    return {
      epoch: n,
      trainLoss: 1 / n,
      trainAccuracy: 0.5,
      testLoss: 1 / n,
      testAccuracy: 0.5,
      seconds: 0.1,
      backend: 'wasm',
      layers: [{ ...layer, train: { k: 2, saturation: 0.5 }, eval: { k: 1, saturation: 0.25 } }],
    };
  }

  it('keeps running and writes every result, before and after', async () => {
    const spec = parseSweepSpec({
      name: 'pg-restart',
      dataset: { name: 'synthetic' },
      grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1, 2, 3, 4, 5, 6] },
      training: { epochs: 2, batchSize: 32 },
    });
    const { sweepId } = await createSweep(db.pool, spec);
    const trials = (await db.pool.query<{ id: string }>('SELECT id FROM trials ORDER BY ordinal')).rows;
    // Its own pool (as in production), so the termination hits the aggregator's connections.
    aggregator = await startAggregator({
      redisUrl: REDIS_URL,
      databaseUrl: db.url,
      prefix,
      flushMs: 10,
      logger: silent,
    });
    const eventsOf = (trialId: string): ResultEvent[] => {
      const at = new Date().toISOString();
      return [
        { type: 'started', sweepId, trialId, attempt: 1, worker: 'w', backend: 'wasm', device: 'cpu', at },
        { type: 'epoch', sweepId, trialId, attempt: 1, result: epoch(1) },
        { type: 'epoch', sweepId, trialId, attempt: 1, result: epoch(2) },
        {
          type: 'finished',
          sweepId,
          trialId,
          attempt: 1,
          status: 'completed',
          at,
          epochs: [epoch(1), epoch(2)],
        },
      ];
    };
    const completed = async () =>
      (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM trials WHERE status = 'completed'`))
        .rows[0]!.n;

    for (const { id } of trials.slice(0, 3)) await publishResults(queues.results, eventsOf(id));
    await waitFor('the first half', async () => ((await completed()) === 3 ? true : undefined));

    expect(await terminateConnections()).toBeGreaterThanOrEqual(1);
    for (const { id } of trials.slice(3)) await publishResults(queues.results, eventsOf(id));
    await waitFor('the second half', async () => ((await completed()) === 6 ? true : undefined));

    const { rows } = await db.pool.query<{ epochs: number; layers: number }>(
      `SELECT (SELECT count(*) FROM epoch_metrics)::int AS epochs, (SELECT count(*) FROM layer_metrics)::int AS layers`,
    );
    expect(rows[0]).toEqual({ epochs: 12, layers: 24 });
    expect(aggregator.stats().events).toBeGreaterThanOrEqual(24);
  });
});
