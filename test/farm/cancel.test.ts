import { sweepStatus } from '@satfarm/db';
import { cancelSweep, createSweepFromSpec, resumeSweep } from '@satfarm/scheduler';
import type { TrialJobOutcome, TrialProgress } from '@satfarm/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { epochsTrained, type Farm, startFarm, tinySpec, trialRows, waitFor } from './harness.ts';

let farm: Farm | undefined;
afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

const epochRows = async (farm: Farm, trialId: string) =>
  (
    await farm.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM epoch_metrics WHERE trial_id = $1',
      [trialId],
    )
  ).rows[0]!.n;

describe('sweep cancel', () => {
  it.each([
    // Cancelled while epoch 3 of 4 trains: it stops after epoch 3, not after 4.
    { epochs: 4, cancelAfter: 2 },
    // Cancelled while the last epoch trains: it ends completed, with every row, and resume leaves it.
    { epochs: 3, cancelAfter: 2 },
  ])(
    'stops at the next epoch boundary ($epochs epochs, cancelled after epoch $cancelAfter), drops waiting trials, and resume retrains nothing',
    async ({ epochs, cancelAfter }) => {
      farm = await startFarm();
      const { db, queues } = farm;
      const worker = await farm.startWorker('c1');
      // Epochs long enough (about a second) that a cancel lands inside the epoch it was aimed at.
      const spec = tinySpec(`farm-cancel-${epochs}`, {
        dataset: { name: 'synthetic', trainLimit: 1024, testLimit: 64 },
        grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1, 2, 3], depth: [3], baseWidth: [8] },
        training: { epochs, batchSize: 32, learningRate: 0.01 },
      });
      const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
      const running = await waitFor(`a trial to finish epoch ${cancelAfter}`, async () => {
        const [job] = await queues.trials.getJobs(['active']);
        const epoch = (job?.progress as Partial<TrialProgress> | undefined)?.epoch ?? 0;
        return epoch >= cancelAfter ? job : undefined;
      });
      const seen = (running.progress as TrialProgress).epoch;

      const outcome = await cancelSweep({ pool: db.pool, trialsQueue: queues.trials, sweep: sweepId });
      expect(outcome).toMatchObject({ cancelledTrials: 3, removedJobs: 2, stillRunning: 1 });
      const done = await waitFor('the running trial to stop', async () => {
        const job = await queues.trials.getJob(running.id!);
        return (await job?.getState()) === 'completed' ? job : undefined;
      });
      const first = done!.returnvalue as TrialJobOutcome;
      await waitFor('results to drain', async () =>
        (await queues.results.getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ? true : undefined,
      );
      // The cancel came while epoch seen + 1 trained: nothing after it was trained or stored.
      const stored = await epochRows(farm, running.id!);
      expect(stored).toBeLessThanOrEqual(seen + 1);
      expect(first.trainedEpochs).toBe(stored);
      const afterCancel = await sweepStatus(db.pool, sweepId);
      if (stored === epochs) {
        // Its last epoch was trained before it could stop: it is completed, not cancelled.
        expect(first.status).toBe('completed');
        expect(afterCancel.counts).toMatchObject({ completed: 1, cancelled: 2 });
      } else {
        expect(first.status).toBe('cancelled');
        expect(afterCancel.counts).toMatchObject({ cancelled: 3 });
      }
      expect(afterCancel).toMatchObject({ status: 'cancelled', done: true });

      // Resume: the stopped trial continues from its checkpoint; no epoch anywhere is trained twice.
      await resumeSweep({ pool: db.pool, trialsQueue: queues.trials, sweep: sweepId });
      await waitFor(
        'the resumed sweep to complete',
        async () => ((await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined),
        120_000,
      );
      if (stored < epochs) {
        const again = await queues.trials.getJob(running.id!);
        expect((again!.returnvalue as TrialJobOutcome).resumedFrom).toBe(stored);
      }
      const twice = [...epochsTrained([worker])].filter(([, times]) => times > 1);
      expect(twice).toEqual([]);
      const rows = await trialRows(db);
      expect(rows.map((r) => [r.status, r.epochs])).toEqual(rows.map(() => ['completed', epochs]));
    },
  );
});
