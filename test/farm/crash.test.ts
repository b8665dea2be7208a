import { sweepStatus } from '@satfarm/db';
import type { TrialProgress } from '@satfarm/worker';
import { createSweepFromSpec } from '@satfarm/scheduler';
import { describe, expect } from 'vitest';
import { farmTest as it, tinySpec, trialRows, waitFor } from './harness.ts';

describe('a worker killed with SIGKILL mid-trial', () => {
  it('has its trial taken over, resumed from the checkpoint without retraining, and completed once', async ({
    farm,
  }) => {
    const { db, queues } = farm;
    const workers = await Promise.all([farm.startWorker('k1'), farm.startWorker('k2')]);
    const epochs = 6;
    const spec = tinySpec('farm-crash', {
      dataset: { name: 'synthetic', trainLimit: 256, testLimit: 64 },
      grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1], depth: [3], baseWidth: [8] },
      training: { epochs, batchSize: 32, learningRate: 0.01 },
    });
    const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
    const trialId = (await db.pool.query<{ id: string }>('SELECT id FROM trials')).rows[0]!.id;

    // Kill whichever worker holds the trial once two epochs are checkpointed.
    const holder = await waitFor('epoch 2 to be checkpointed', async () => {
      const job = await queues.trials.getJob(trialId);
      const progress = job?.progress as Partial<TrialProgress> | undefined;
      return (progress?.epoch ?? 0) >= 2 ? job?.processedBy : undefined;
    });
    const victim = workers.find((w) => w.id === holder)!;
    const survivor = workers.find((w) => w !== victim)!;
    expect(victim).toBeDefined();
    victim.kill('SIGKILL');
    expect(await victim.exited).toMatchObject({ signal: 'SIGKILL' });

    const started = Date.now();
    await waitFor('the sweep to complete', async () =>
      (await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined,
    );
    console.info(
      `takeover after SIGKILL: trial completed ${((Date.now() - started) / 1000).toFixed(1)} s after the kill`,
    );
    await waitFor('results to drain', async () =>
      (await queues.results.getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ? true : undefined,
    );

    const { logs } = await queues.trials.getJobLogs(trialId);
    const resumed = logs
      .map((l) => /attempt (\d+) on (\S+): resuming after epoch (\d+)/.exec(l))
      .filter((m) => m !== null);
    expect(resumed).toHaveLength(1);
    const [, resumedAttempt, resumedOn, fromEpochText] = resumed[0]!;
    const fromEpoch = Number(fromEpochText);
    expect(resumedOn!.startsWith(`${survivor.id}/`)).toBe(true);
    expect(fromEpoch).toBeGreaterThanOrEqual(2);
    const trained = logs
      .map((l) => /attempt (\d+) on \S+: trained epoch (\d+)\//.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ attempt: Number(m[1]), epoch: Number(m[2]) }));
    // No epoch was trained twice, and the survivor trained exactly the epochs after the checkpoint.
    expect(new Set(trained.map((t) => t.epoch)).size).toBe(trained.length);
    expect(trained.filter((t) => t.attempt === Number(resumedAttempt)).map((t) => t.epoch)).toEqual(
      Array.from({ length: epochs - fromEpoch }, (_, i) => fromEpoch + 1 + i),
    );

    const [row] = await trialRows(db);
    expect(row).toMatchObject({ status: 'completed', epochs, attempts: Number(resumedAttempt) });
    expect(row!.worker!.startsWith(`${survivor.id}/`)).toBe(true);
    expect(row!.layerRows).toBe(epochs * row!.layers * 2);
  });
});
