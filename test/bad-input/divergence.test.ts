/**
 * Training that cannot work: a learning rate of 100 with plain SGD blows the loss up within a few
 * epochs. `satfarm train` exits non-zero naming the divergence; in a sweep the trial is recorded
 * `diverged` (with the epochs before it) and is not retried.
 */
import { parseSweepSpec } from '@satfarm/contracts';
import { sweepStatus } from '@satfarm/db';
import { createSweepFromSpec } from '@satfarm/scheduler';
import { describe, expect, it } from 'vitest';
import { farmTest, trialRows, waitFor } from '../farm/harness.ts';
import { refusal, satfarm } from './satfarm-cli.ts';

// Diverges at epoch 6 of 10 on the synthetic set with seed 1 (activations overflow).
const DIVERGING = {
  resolution: 12,
  limit: 128,
  epochs: 10,
  batchSize: 64,
  learningRate: 100,
  optimizer: 'sgd' as const,
};

describe('a learning rate that makes training diverge', () => {
  it('makes `satfarm train` exit non-zero naming the divergence and the epoch', async () => {
    const run = await satfarm([
      'train',
      '--arch',
      'simple-cnn',
      '--dataset',
      'synthetic',
      '--resolution',
      String(DIVERGING.resolution),
      '--limit',
      String(DIVERGING.limit),
      '--epochs',
      String(DIVERGING.epochs),
      '--batch-size',
      String(DIVERGING.batchSize),
      '--learning-rate',
      String(DIVERGING.learningRate),
      '--optimizer',
      DIVERGING.optimizer,
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(refusal(run).why).toBe('');
    expect(run.stderr).toMatch(
      /^satfarm: training diverged: .* at epoch \d+, batch \d+ \(try a smaller learningRate\)$/m,
    );
    // The epochs before the divergence were reported, and not all of them.
    const epochs = run.stdout.trim().split('\n').filter(Boolean);
    expect(epochs.length).toBeLessThan(DIVERGING.epochs);
  });

  farmTest('records the trial of a sweep as diverged, once, without retrying it', async ({ farm }) => {
    await farm.startWorker('diverge-1');
    const spec = parseSweepSpec({
      name: 'bad-input-divergence',
      dataset: { name: 'synthetic', trainLimit: DIVERGING.limit, testLimit: DIVERGING.limit },
      grid: { architecture: ['simple-cnn'], resolution: [DIVERGING.resolution], seed: [1] },
      training: {
        epochs: DIVERGING.epochs,
        batchSize: DIVERGING.batchSize,
        learningRate: DIVERGING.learningRate,
        optimizer: DIVERGING.optimizer,
      },
      retries: 3,
    });
    const { sweepId } = await createSweepFromSpec({
      pool: farm.db.pool,
      trialsQueue: farm.queues.trials,
      spec,
    });
    await waitFor('the sweep to finish', async () =>
      (await sweepStatus(farm.db.pool, sweepId)).status === 'completed' ? true : undefined,
    );
    const [trial] = await trialRows(farm.db);
    expect(trial).toMatchObject({ status: 'diverged', attempts: 1 });
    expect(trial!.epochs).toBeLessThan(DIVERGING.epochs);
    const { rows } = await farm.db.pool.query<{ error: string }>('SELECT error FROM trials');
    expect(rows[0]!.error).toMatch(/^TrialDivergedError: training diverged: .* at epoch \d+/);
    // Not retried: the job completed on its first run (a diverged trial is an answer, not a failure).
    const job = await farm.queues.trials.getJob(trial!.id);
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsStarted).toBe(1);
  });
});
