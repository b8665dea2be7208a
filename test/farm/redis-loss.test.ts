import { createRedisConnection } from '@satfarm/queue';
import { sweepStatus } from '@satfarm/db';
import { createSweepFromSpec, resumeSweep } from '@satfarm/scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { type Farm, startFarm, tinySpec, trialRows, waitFor } from './harness.ts';

/** A Redis database index of its own: this test FLUSHDBs it (never db 0, which other tests share). */
const FLUSHED_DB = Number(process.env.SATFARM_TEST_FLUSH_REDIS_DB ?? 13);

let farm: Farm | undefined;
afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

describe('Redis losing everything mid-sweep', () => {
  it('loses nothing: resume re-enqueues the unfinished trials from PostgreSQL and the sweep completes', async () => {
    farm = await startFarm({ redisDb: FLUSHED_DB });
    const { db, queues } = farm;
    await Promise.all([farm.startWorker('r1'), farm.startWorker('r2')]);
    const spec = tinySpec('farm-redis-loss', { training: { epochs: 3, batchSize: 32, learningRate: 0.01 } });
    const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });

    await waitFor('a few epochs in PostgreSQL', async () => {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM epoch_metrics');
      return rows[0].n >= 2 ? true : undefined;
    });
    const redis = createRedisConnection(farm.redisUrl);
    try {
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
    const before = await sweepStatus(db.pool, sweepId);
    expect(before.status).toBe('running');

    const resumed = await resumeSweep({ pool: db.pool, trialsQueue: queues.trials, sweep: sweepId });
    // At most one trial's epochs were written at the flush: at least four never started and lost their job.
    expect(resumed.requeued).toBeGreaterThanOrEqual(4);
    console.info(`after FLUSHDB: ${JSON.stringify(before.counts)} → resume ${JSON.stringify(resumed)}`);
    await waitFor('the sweep to complete', async () =>
      (await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined,
    );
    await waitFor('results to drain', async () =>
      (await queues.results.getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ? true : undefined,
    );
    const rows = await trialRows(db);
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'completed', epochs: 3 });
      expect(row.layerRows).toBe(3 * row.layers * 2);
    }
  });
});
