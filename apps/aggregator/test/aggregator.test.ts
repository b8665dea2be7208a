import { type EpochResult, parseSweepSpec, type ResultEvent } from '@satfarm/contracts';
import { sweepStatus } from '@satfarm/db';
import { freshDbTest as it } from '@satfarm/db/vitest';
import { type FarmQueues, openFarmQueues, publishResult } from '@satfarm/queue';
import { createSweepFromSpec } from '@satfarm/scheduler';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { waitFor } from '../../../test/support/wait-for.ts';
import { type AggregatorHandle, startAggregator } from '../src/index.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = { info() {}, warn() {}, error() {} };

function epochResult(epoch: number, accuracy: number): EpochResult {
  const layer = (index: number) => ({
    name: `conv${index}`,
    index,
    kind: 'conv' as const,
    width: 8,
    receptiveField: 3 + 2 * index,
    unproductive: false,
    train: { k: 4, saturation: 0.5 },
    eval: { k: 2, saturation: 0.25 },
  });
  return {
    epoch,
    trainLoss: 1 / epoch,
    trainAccuracy: accuracy,
    testLoss: 1 / epoch,
    testAccuracy: accuracy,
    seconds: 0.5,
    backend: 'wasm',
    layers: [layer(0), layer(1), layer(2)],
  };
}

let queues: FarmQueues;
let aggregator: AggregatorHandle | undefined;
let prefix: string;
beforeEach(async () => {
  prefix = `satfarm-test-a-${process.pid}-${Date.now()}`;
  queues = openFarmQueues({ redisUrl: REDIS_URL, prefix });
});
afterEach(async () => {
  await aggregator?.close();
  aggregator = undefined;
  await queues.obliterate();
  await queues.close();
});

describe('aggregator', () => {
  it('writes every event once in batches, tolerates duplicates and completes the sweep', async ({ db }) => {
    const spec = parseSweepSpec({
      name: 'aggregator-test',
      dataset: { name: 'synthetic' },
      grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1, 2, 3] },
      training: { epochs: 3, batchSize: 32 },
    });
    const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
    const trialIds = (await db.pool.query<{ id: string }>('SELECT id FROM trials ORDER BY ordinal')).rows.map(
      (r) => r.id,
    );
    const at = new Date().toISOString();
    const events: ResultEvent[] = [];
    for (const trialId of trialIds) {
      events.push({
        type: 'started',
        trialId,
        sweepId,
        attempt: 1,
        worker: 'w1',
        backend: 'wasm',
        device: 'cpu',
        at,
      });
      for (let epoch = 1; epoch <= 3; epoch++)
        events.push({ type: 'epoch', trialId, sweepId, attempt: 1, result: epochResult(epoch, 0.5) });
    }
    // A duplicate delivered under another job id (as after a Redis failover) must not add rows.
    const duplicate = events[1]!;
    await queues.results.add('epoch', duplicate, { jobId: 'manual-duplicate' });
    for (const event of events) await publishResult(queues.results, event);

    aggregator = await startAggregator({
      redisUrl: REDIS_URL,
      pool: db.pool,
      prefix,
      flushMs: 20,
      logger: silent,
    });
    await waitFor('epoch rows', async () => {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM epoch_metrics');
      return rows[0].n === 9 ? true : undefined;
    });
    expect((await sweepStatus(db.pool, sweepId)).status).toBe('running');

    for (const trialId of trialIds) {
      // A newer attempt rewrote epoch 3 before finishing: its values win.
      await publishResult(queues.results, {
        type: 'epoch',
        trialId,
        sweepId,
        attempt: 2,
        result: epochResult(3, 0.75),
      });
      await publishResult(queues.results, {
        type: 'finished',
        trialId,
        sweepId,
        attempt: 2,
        status: 'completed',
        at,
        epochs: [epochResult(1, 0.5), epochResult(2, 0.5), epochResult(3, 0.75)],
      });
    }
    await waitFor('sweep completion', async () =>
      (await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined,
    );
    const counts = await db.pool.query(
      `SELECT (SELECT count(*) FROM epoch_metrics)::int AS epochs,
              (SELECT count(*) FROM layer_metrics)::int AS layers,
              (SELECT count(*) FROM (SELECT DISTINCT trial_id, epoch, layer_index, mode FROM layer_metrics) d)::int AS distinct_layers,
              (SELECT count(*) FROM trials WHERE status = 'completed' AND final_test_accuracy = 0.75)::int AS done`,
    );
    expect(counts.rows[0]).toEqual({ epochs: 9, layers: 9 * 3 * 2, distinct_layers: 9 * 3 * 2, done: 3 });
    const stats = aggregator.stats();
    expect(stats.completedSweeps).toBe(1);
    expect(stats.batches).toBeLessThan(stats.events);
    expect(await queues.results.getJobCountByTypes('failed', 'waiting', 'active')).toBe(0);
  });

  it('fails a malformed event for good without blocking the others', async ({ db }) => {
    aggregator = await startAggregator({
      redisUrl: REDIS_URL,
      pool: db.pool,
      prefix,
      flushMs: 10,
      logger: silent,
    });
    await queues.results.add('epoch', { type: 'epoch', trialId: 'not-an-id' } as never, {
      jobId: 'bad',
      attempts: 5,
    });
    await waitFor('the bad job to fail', async () =>
      (await queues.results.getJobState('bad')) === 'failed' ? true : undefined,
    );
    const bad = await queues.results.getJob('bad');
    expect(bad?.attemptsMade).toBe(1);
    expect(bad?.failedReason).toMatch(/invalid results job bad: .*trialId/);
  });
});
