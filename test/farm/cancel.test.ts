import { readdir } from 'node:fs/promises';
import { sweepStatus } from '@satfarm/db';
import { cancelSweep, createSweepFromSpec } from '@satfarm/scheduler';
import type { TrialJobOutcome, TrialProgress } from '@satfarm/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { type Farm, startFarm, tinySpec, waitFor } from './harness.ts';

let farm: Farm | undefined;
afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

describe('sweep cancel', () => {
  it('stops a running trial after its current epoch and drops its waiting trials', async () => {
    farm = await startFarm();
    const { db, queues } = farm;
    await farm.startWorker('c1');
    const epochs = 8;
    const spec = tinySpec('farm-cancel', {
      dataset: { name: 'synthetic', trainLimit: 256, testLimit: 64 },
      grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1, 2, 3], depth: [3], baseWidth: [8] },
      training: { epochs, batchSize: 32, learningRate: 0.01 },
    });
    const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
    const running = await waitFor('a trial to finish epoch 1', async () => {
      const [job] = await queues.trials.getJobs(['active']);
      return ((job?.progress as Partial<TrialProgress> | undefined)?.epoch ?? 0) >= 1 ? job : undefined;
    });

    const outcome = await cancelSweep({ pool: db.pool, trialsQueue: queues.trials, sweep: sweepId });
    expect(outcome).toMatchObject({
      status: 'cancelled',
      cancelledTrials: 3,
      removedJobs: 2,
      stillRunning: 1,
    });
    const done = await waitFor('the running trial to stop', async () => {
      const job = await queues.trials.getJob(running.id!);
      return (await job?.getState()) === 'completed' ? job : undefined;
    });
    const result = done!.returnvalue as TrialJobOutcome;
    expect(result.status).toBe('cancelled');
    expect(result.trainedEpochs).toBeLessThan(epochs);
    expect(await readdir(farm.checkpointDir)).toEqual([]);
    expect(await queues.trials.getJobCountByTypes('waiting', 'active', 'delayed')).toBe(0);
    await waitFor('results to drain', async () =>
      (await queues.results.getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ? true : undefined,
    );
    const status = await sweepStatus(db.pool, sweepId);
    expect(status).toMatchObject({ status: 'cancelled', done: true });
    expect(status.counts.cancelled).toBe(3);
  });
});
