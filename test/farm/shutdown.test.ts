import { sweepStatus } from '@satfarm/db';
import { createSweepFromSpec } from '@satfarm/scheduler';
import type { TrialProgress } from '@satfarm/worker';
import { describe, expect } from 'vitest';
import { farmTest as it, tinySpec, trialRows, waitFor } from './harness.ts';

describe('SIGTERM', () => {
  it.for([
    ['the worker process', false],
    ['the whole process group (Ctrl-C, systemd)', true],
  ])(
    'to %s: the trial stops at an epoch boundary, goes back to the queue unharmed, and resumes elsewhere',
    async ([_, group], { farm }) => {
      const { db, queues } = farm;
      const first = await farm.startWorker('t1');
      const epochs = 8;
      const spec = tinySpec(`farm-sigterm-${group}`, {
        dataset: { name: 'synthetic', trainLimit: 256, testLimit: 64 },
        grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1], depth: [3], baseWidth: [8] },
        training: { epochs, batchSize: 32, learningRate: 0.01 },
      });
      const { sweepId } = await createSweepFromSpec({ pool: db.pool, trialsQueue: queues.trials, spec });
      const trialId = (await db.pool.query<{ id: string }>('SELECT id FROM trials')).rows[0]!.id;
      await waitFor('epoch 1 to be checkpointed', async () => {
        const progress = (await queues.trials.getJob(trialId))?.progress as
          | Partial<TrialProgress>
          | undefined;
        return (progress?.epoch ?? 0) >= 1 ? true : undefined;
      });

      const stopped = Date.now();
      if (group) first.kill('SIGTERM');
      else first.process.kill('SIGTERM');
      expect(await first.exited).toEqual({ code: 0, signal: null });
      console.info(`SIGTERM to ${group ? 'group' : 'worker'}: exited in ${Date.now() - stopped} ms`);

      // Back in the queue with no attempt used, and a checkpoint to continue from.
      const job = await queues.trials.getJob(trialId);
      expect(await job?.getState()).toBe('waiting');
      expect(job?.attemptsMade).toBe(0);
      expect(await farm.storedCheckpoints()).toEqual([trialId]);
      const { logs: before } = await queues.trials.getJobLogs(trialId);
      expect(before.at(-1)).toMatch(/worker shutting down: stopped after epoch \d+; back in the queue/);
      const stoppedAt = Number(/stopped after epoch (\d+)/.exec(before.at(-1)!)![1]);
      expect(stoppedAt).toBeLessThan(epochs);

      await farm.startWorker('t2');
      await waitFor('the sweep to complete', async () =>
        (await sweepStatus(db.pool, sweepId)).status === 'completed' ? true : undefined,
      );
      const { logs } = await queues.trials.getJobLogs(trialId);
      expect(logs).toContainEqual(
        expect.stringMatching(new RegExp(`attempt 2 on t2/\\d+: resuming after epoch ${stoppedAt} `)),
      );
      const trained = logs.map((l) => /trained epoch (\d+)\//.exec(l)?.[1]).filter((e) => e !== undefined);
      expect(trained.map(Number)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
      await waitFor('results to drain', async () =>
        (await queues.results.getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ? true : undefined,
      );
      const [row] = await trialRows(db);
      expect(row).toMatchObject({ status: 'completed', epochs, attempts: 2 });
      // Removed by the aggregator with the `completed` it recorded.
      expect(await farm.storedCheckpoints()).toEqual([]);
    },
  );
});
