import { sweepStatus } from '@satfarm/db';
import { createRedisConnection } from '@satfarm/queue';
import { createSweepFromSpec, resumeSweep } from '@satfarm/scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { epochsTrained, type Farm, startFarm, tinySpec, waitFor } from './harness.ts';

/** A Redis database index of its own: the resume test FLUSHDBs it (never db 0, which other tests share). */
const FLUSHED_DB = Number(process.env.SATFARM_TEST_FLUSH_REDIS_DB ?? 13);

let farm: Farm | undefined;
afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

/** 4 resolutions × 2 seeds, 4 epochs, η = 2: rungs at epochs 1 and 2 keep 8 → 4 → 2 trials. */
const searchSpec = (name: string) =>
  tinySpec(name, {
    grid: {
      architecture: ['simple-cnn'],
      resolution: [8, 12, 16, 20],
      seed: [1, 2],
      depth: [2],
      baseWidth: [4],
    },
    training: { epochs: 4, batchSize: 32, learningRate: 0.01 },
    search: { strategy: 'successive-halving', minEpochs: 1, reductionFactor: 2, rankBy: 'accuracy' },
  });

/** Epoch rows, status and stage of every trial, and the search's decisions per rung. */
async function searchState(farm: Farm, sweepId: string) {
  const trials = await farm.db.pool.query<{
    id: string;
    status: string;
    search_rung: number;
    last_epoch: number;
    epochs: number;
    distinct_epochs: number;
  }>(
    `SELECT t.id, t.status, t.search_rung, t.last_epoch,
            (SELECT count(*)::int FROM epoch_metrics e WHERE e.trial_id = t.id) AS epochs,
            (SELECT count(DISTINCT e.epoch)::int FROM epoch_metrics e WHERE e.trial_id = t.id) AS distinct_epochs
       FROM trials t WHERE t.sweep_id = $1 ORDER BY t.ordinal`,
    [sweepId],
  );
  const decisions = await farm.db.pool.query<{ rung: number; decision: string; n: number }>(
    `SELECT rung, decision, count(*)::int AS n FROM search_decisions WHERE sweep_id = $1
      GROUP BY rung, decision ORDER BY rung, decision`,
    [sweepId],
  );
  return {
    trials: trials.rows,
    decisions: decisions.rows.map((r) => `rung ${r.rung}: ${r.n} ${r.decision}`),
  };
}

/** The shape every finished run of `searchSpec` has, however it got there. */
function expectFinishedSearch(state: Awaited<ReturnType<typeof searchState>>) {
  expect(state.decisions).toEqual([
    'rung 0: 4 promoted',
    'rung 0: 4 stopped',
    'rung 1: 2 promoted',
    'rung 1: 2 stopped',
  ]);
  const byStatus = (s: string) => state.trials.filter((t) => t.status === s);
  expect(byStatus('completed')).toHaveLength(2);
  expect(byStatus('pruned')).toHaveLength(6);
  for (const t of state.trials) {
    // Every epoch a trial trained is stored once: 1 for those pruned at the first rung, 2 at the second, 4 to the end.
    expect(t.epochs).toBe(t.distinct_epochs);
    expect(t.epochs).toBe(t.last_epoch);
    expect(t.last_epoch).toBe(t.status === 'completed' ? 4 : t.search_rung === 0 ? 1 : 2);
  }
  // 8 trials × 1 + 4 × 1 + 2 × 2 = 16 epochs instead of the grid's 32.
  expect(state.trials.reduce((n, t) => n + t.epochs, 0)).toBe(16);
}

describe('successive halving on the farm', () => {
  it('promotes and prunes at each rung as results arrive; no epoch is trained twice', async () => {
    farm = await startFarm();
    const { db, queues } = farm;
    const workers = await Promise.all([farm.startWorker('s1'), farm.startWorker('s2')]);
    const { sweepId } = await createSweepFromSpec({
      pool: db.pool,
      trialsQueue: queues.trials,
      spec: searchSpec('farm-search'),
    });
    await waitFor(
      'the search to complete',
      async () => ((await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined),
      120_000,
    );
    expectFinishedSearch(await searchState(farm, sweepId));
    // One job per stage: 8 first stages, 4 promotions to rung 1, 2 to the last stage.
    expect(await queues.trials.getJobCountByTypes('completed')).toBe(14);
    expect(await queues.trials.getJobCountByTypes('failed', 'waiting', 'active', 'delayed')).toBe(0);
    // Each promoted stage continued from its checkpoint: no (trial, epoch) was trained twice.
    expect([...epochsTrained(workers).values()].every((n) => n === 1)).toBe(true);
    expect(epochsTrained(workers).size).toBe(16);
  });

  it('a search whose Redis lost everything after its first rung finishes after `sweep resume` with the same decisions', async () => {
    farm = await startFarm({ redisDb: FLUSHED_DB });
    const { db, queues } = farm;
    await Promise.all([farm.startWorker('s1'), farm.startWorker('s2')]);
    const { sweepId } = await createSweepFromSpec({
      pool: db.pool,
      trialsQueue: queues.trials,
      spec: searchSpec('farm-search-resume'),
    });
    await waitFor(
      'the first rung decided',
      async () => ((await searchState(farm!, sweepId)).decisions.length > 0 ? true : undefined),
      60_000,
    );
    const redis = createRedisConnection(farm.redisUrl);
    try {
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
    await resumeSweep({ pool: db.pool, trialsQueue: queues.trials, sweep: sweepId });
    await waitFor(
      'the resumed search to complete',
      async () => ((await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined),
      120_000,
    );
    expectFinishedSearch(await searchState(farm, sweepId));
  });
});
