import { sweepStatus } from '@satfarm/db';
import { createRedisConnection } from '@satfarm/queue';
import { createSweepFromSpec, resumeSweep } from '@satfarm/scheduler';
import type { TrialProgress } from '@satfarm/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { epochsTrained, type Farm, startFarm, tinySpec, trialRows, waitFor } from './harness.ts';

/** A Redis database index of its own: this file FLUSHDBs it (never db 0, which other tests share). */
const FLUSHED_DB = Number(process.env.SATFARM_TEST_FLUSH_REDIS_DB ?? 13);

let farm: Farm | undefined;
afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

async function flushRedis(farm: Farm): Promise<void> {
  const redis = createRedisConnection(farm.redisUrl);
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

const epochCount = async (farm: Farm) =>
  (await farm.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM epoch_metrics')).rows[0]!.n;

const activeProgress = async (farm: Farm) => {
  const [job] = await farm.queues.trials.getJobs(['active']);
  return job?.progress as Partial<TrialProgress> | undefined;
};

describe('Redis losing everything mid-sweep', () => {
  it('loses nothing: resume re-enqueues the unfinished trials from PostgreSQL and the sweep completes', async () => {
    farm = await startFarm({ redisDb: FLUSHED_DB });
    const { db, queues } = farm;
    const workers = await Promise.all([farm.startWorker('r1'), farm.startWorker('r2')]);
    // Four epochs: a trainer cut off after its first has two or more left to (wrongly) record.
    const spec = tinySpec('farm-redis-loss', { training: { epochs: 4, batchSize: 32, learningRate: 0.01 } });
    const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });

    await waitFor('a few epochs in PostgreSQL', async () =>
      (await epochCount(farm!)) >= 2 ? true : undefined,
    );
    // Which attempt each trial's trainer was on when Redis lost everything, and its last recorded epoch.
    const atFlush = new Map<string, { attempt: number; epoch: number }>();
    for (const record of workers.flatMap((w) => w.logs)) {
      if (record.msg === 'epoch done') {
        atFlush.set(String(record.trialId), { attempt: Number(record.attempt), epoch: Number(record.epoch) });
      }
    }
    const flushedAt = new Date().toISOString();
    await flushRedis(farm);
    const before = await sweepStatus(db.pool, sweepId);
    expect(before.status).toBe('running');

    // At once, while the trainers that lost their jobs are mid-epoch: the new jobs have the same ids,
    // so only the ownership check (the lock token) tells a stale trainer to stop at its epoch boundary
    // instead of training on beside the run that now owns the trial.
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
      expect(row).toMatchObject({ status: 'completed', epochs: 4 });
      expect(row.layerRows).toBe(4 * row.layers * 2);
    }
    // The trainers that were running lost their jobs: they stop at their next epoch boundary and record
    // nothing more. One that was recording its next epoch at that very moment (checkpoint saved, ownership
    // confirmed just before the flush) may finish that one record; any later epoch of an old attempt is a
    // stale write. (A run that takes a trial over may train an epoch again: that is allowed here.)
    const staleWrites = workers
      .flatMap((w) => w.logs)
      .filter((r) => {
        const before = atFlush.get(String(r.trialId));
        return (
          r.msg === 'epoch done' &&
          String(r.time) > flushedAt &&
          before !== undefined &&
          Number(r.attempt) <= before.attempt &&
          Number(r.epoch) > before.epoch + 1
        );
      });
    expect(staleWrites).toEqual([]);
  });

  // One trial of 3 epochs, flushed at one moment of its life each time; then `sweep resume`.
  const moments: { name: string; before: (farm: Farm) => Promise<unknown> }[] = [
    {
      name: 'while it loads, before epoch 1',
      before: (f) =>
        waitFor('the trial to start', async () =>
          (await activeProgress(f)) !== undefined ? true : undefined,
        ),
    },
    {
      name: 'after epoch 1 is stored',
      before: (f) => waitFor('epoch 1', async () => ((await epochCount(f)) >= 1 ? true : undefined)),
    },
    {
      name: 'during the last epoch',
      before: (f) =>
        waitFor('epoch 2', async () => (((await activeProgress(f))?.epoch ?? 0) >= 2 ? true : undefined)),
    },
    {
      // The worker finished and published everything; none of it was written and Redis lost it all. The
      // checkpoint (in PostgreSQL) is removed only with the recorded `completed`, so the resumed trial
      // replays it: nothing is trained again.
      name: 'after it finished, before its results were written',
      before: async (f) => {
        await f.stopAggregator();
        await waitFor('the trial job to complete', async () =>
          (await f.queues.trials.getJobCountByTypes('completed')) === 1 ? true : undefined,
        );
      },
    },
  ];
  it.each(moments)('loses no epoch and trains none twice when flushed $name', async ({ before }) => {
    farm = await startFarm({ redisDb: FLUSHED_DB });
    const { db, queues } = farm;
    const worker = await farm.startWorker('m1');
    const spec = tinySpec('farm-redis-moment', {
      dataset: { name: 'synthetic', trainLimit: 512, testLimit: 64 },
      grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1], depth: [2], baseWidth: [4] },
      training: { epochs: 3, batchSize: 32, learningRate: 0.01 },
    });
    const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
    await before(farm);
    await flushRedis(farm);
    await farm.startAggregator();
    await resumeSweep({ pool: db.pool, trialsQueue: queues.trials, sweep: sweepId });
    await waitFor('the sweep to complete', async () =>
      (await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined,
    );
    const [row] = await trialRows(db);
    expect(row).toMatchObject({ status: 'completed', epochs: 3, planned: 3 });
    expect(row!.layerRows).toBe(3 * row!.layers * 2);
    // What was checkpointed and recorded before the flush is not trained again.
    expect([...epochsTrained([worker])].filter(([, times]) => times > 1)).toEqual([]);
  });
});
