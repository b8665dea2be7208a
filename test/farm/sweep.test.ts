import { sweepStatus } from '@satfarm/db';
import { createSweepFromSpec } from '@satfarm/scheduler';
import { describe, expect } from 'vitest';
import { farmTest as it, tinySpec, trialRows, waitFor } from './harness.ts';

describe('a sweep on two worker processes', () => {
  it('completes with every epoch and layer row exactly once, and creating it again adds nothing', async ({
    farm,
  }) => {
    const { db, queues } = farm;
    await Promise.all([farm.startWorker('w1'), farm.startWorker('w2')]);
    const spec = tinySpec('farm-sweep');
    const started = Date.now();
    const created = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
    expect(created).toMatchObject({ created: true, trials: 6, newTrials: 6, enqueued: 6 });

    await waitFor('the sweep to complete', async () =>
      (await sweepStatus(db.pool, created.sweepId)).status === 'completed' ? true : undefined,
    );
    const seconds = (Date.now() - started) / 1000;
    console.info(
      `farm sweep: 6 trials × 2 epochs on 2 workers in ${seconds.toFixed(1)} s (${(6 / seconds).toFixed(2)} trials/s)`,
    );
    await waitFor('results to drain', async () =>
      (await queues.results.getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ? true : undefined,
    );

    const rows = await trialRows(db);
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(row.status).toBe('completed');
      expect(row.epochs).toBe(2);
      expect(row.layers).toBeGreaterThan(0);
      expect(row.layerRows).toBe(row.epochs * row.layers * 2);
    }
    // Both processes trained.
    expect(new Set(rows.map((r) => r.worker?.split('/')[0]))).toEqual(new Set(['w1', 'w2']));
    expect(await queues.trials.getJobCountByTypes('completed')).toBe(6);
    expect(await queues.trials.getJobCountByTypes('failed')).toBe(0);
    expect(await queues.results.getJobCountByTypes('failed')).toBe(0);

    const again = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
    expect(again).toMatchObject({ sweepId: created.sweepId, created: false, newTrials: 0, enqueued: 0 });
    expect(await queues.trials.getJobCountByTypes('waiting', 'prioritized', 'active', 'delayed')).toBe(0);
    expect(await queues.trials.getJobCountByTypes('completed')).toBe(6);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM trials')).rows[0].n).toBe(6);
  });
});
