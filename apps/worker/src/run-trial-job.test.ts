import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultEvent, TrialConfig, type TrialConfigInput, trialIdFor } from '@satfarm/contracts';
import { FileCheckpointStore } from '@satfarm/checkpoints';
import { selectBackend } from '@satfarm/backends';
import { prepareDataset } from '@satfarm/training';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  runTrialJob,
  type TrialJobHandle,
  type TrialProgress,
  type TrialRunnerDeps,
} from './run-trial-job.ts';

const sweepId = 'c'.repeat(32);

function trialData(overrides: Partial<TrialConfigInput> = {}, attemptsBefore = 0) {
  const config = TrialConfig.parse({
    architecture: 'simple-cnn',
    resolution: 12,
    seed: 4,
    depth: 2,
    baseWidth: 4,
    dataset: { name: 'synthetic', trainLimit: 64, testLimit: 32 },
    training: { epochs: 3, batchSize: 32, learningRate: 0.01 },
    ...overrides,
  });
  return { sweepId, trialId: trialIdFor(sweepId, config), config, attemptsBefore };
}

interface Recorded {
  job: TrialJobHandle;
  progress: TrialProgress[];
  logs: string[];
}

function job(
  data: unknown,
  counters: { attemptsMade?: number; attemptsStarted?: number; attempts?: number } = {},
): Recorded {
  const progress: TrialProgress[] = [];
  const logs: string[] = [];
  return {
    progress,
    logs,
    job: {
      id: (data as { trialId?: string }).trialId,
      data,
      attemptsMade: counters.attemptsMade ?? 0,
      attemptsStarted: counters.attemptsStarted ?? 1,
      opts: { attempts: counters.attempts ?? 3 },
      updateProgress: async (p) => {
        progress.push(p);
      },
      log: (row) => {
        logs.push(row);
      },
    },
  };
}

let dir: string;
let events: ResultEvent[];
let requeued: number;
let stopAfterEpoch: number | undefined;
let cancelAfterEpoch: number | undefined;
let deps: TrialRunnerDeps;

beforeAll(async () => {
  await selectBackend('wasm');
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-worker-'));
  events = [];
  requeued = 0;
  stopAfterEpoch = undefined;
  cancelAfterEpoch = undefined;
  deps = {
    workerId: 'test-worker',
    backend: async () => ({ name: 'wasm', device: 'test cpu' }),
    dataset: (config) =>
      prepareDataset(config.dataset, config.resolution, config.seed, { fashionMnistDir: '/nonexistent' }),
    checkpoints: new FileCheckpointStore(dir),
    publish: async (event) => {
      events.push(event);
    },
    publishAll: async (list) => {
      events.push(...list);
    },
    requeue: async () => {
      requeued += 1;
    },
    isCancelled: async () =>
      cancelAfterEpoch !== undefined && events.filter((e) => e.type === 'epoch').length >= cancelAfterEpoch,
    shouldStop: () => {
      const lastEpoch = events.filter((e) => e.type === 'epoch').length;
      return stopAfterEpoch !== undefined && lastEpoch >= stopAfterEpoch;
    },
  };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const summary = (list: ResultEvent[]) =>
  list.map((e) =>
    e.type === 'epoch'
      ? `epoch${e.result.epoch}@${e.attempt}`
      : e.type === 'finished'
        ? `${e.status}@${e.attempt}`
        : e.type === 'paused'
          ? `paused${e.rung}@${e.attempt}:${e.epochs.length}`
          : `started@${e.attempt}`,
  );

describe('runTrialJob in a successive-halving search', () => {
  const stage = (rung: number, untilEpoch: number | undefined, attemptsBefore: number) => ({
    ...trialData({}, attemptsBefore),
    rung,
    ...(untilEpoch === undefined ? {} : { untilEpoch }),
  });
  const withJobId = (data: ReturnType<typeof stage>, attemptsBefore: number) => {
    const run = job(data);
    run.job.id = data.rung === 0 ? data.trialId : `${data.trialId}-r${data.rung}`;
    return { run, attemptsBefore };
  };

  it("stops at its rung's epoch, reports the pause with the history and keeps the checkpoint; the promoted stage continues from it", async () => {
    const first = withJobId(stage(0, 1, 0), 0);
    expect(await runTrialJob(first.run.job, deps)).toMatchObject({ status: 'paused', trainedEpochs: 1 });
    expect(summary(events)).toEqual(['started@1', 'epoch1@1', 'paused0@1:1']);
    const trialId = trialData().trialId;
    expect((await deps.checkpoints.load(trialId))?.epoch).toBe(1);

    events = [];
    const second = withJobId(stage(1, 2, 1), 1);
    expect(await runTrialJob(second.run.job, deps)).toMatchObject({
      status: 'paused',
      resumedFrom: 1,
      trainedEpochs: 1,
    });
    expect(summary(events)).toEqual(['started@2', 'epoch1@2', 'epoch2@2', 'paused1@2:2']);

    events = [];
    const last = withJobId(stage(2, undefined, 2), 2);
    expect(await runTrialJob(last.run.job, deps)).toMatchObject({
      status: 'completed',
      resumedFrom: 2,
      trainedEpochs: 1,
    });
    expect(summary(events)).toEqual(['started@3', 'epoch1@3', 'epoch2@3', 'epoch3@3', 'completed@3']);
  });

  it('a stage whose epochs are all in the checkpoint already (its pause was lost) pauses again without training', async () => {
    await runTrialJob(withJobId(stage(0, 1, 0), 0).run.job, deps);
    events = [];
    // The same stage again, e.g. re-enqueued by `sweep resume` after Redis lost the first pause.
    expect(await runTrialJob(withJobId(stage(0, 1, 1), 1).run.job, deps)).toMatchObject({
      status: 'paused',
      trainedEpochs: 0,
    });
    expect(summary(events)).toEqual(['started@2', 'epoch1@2', 'paused0@2:1']);
  });

  it('refuses a stage job whose id does not name its rung', async () => {
    const data = stage(1, 2, 1);
    const run = job(data); // job id = trial id, the id of stage 0
    await expect(runTrialJob(run.job, deps)).rejects.toBeInstanceOf(UnrecoverableError);
  });
});

describe('runTrialJob', () => {
  it('publishes started, every epoch and completed, reports progress and removes its checkpoint', async () => {
    const data = trialData();
    const run = job(data);
    const outcome = await runTrialJob(run.job, deps);
    expect(outcome).toEqual({ status: 'completed', attempt: 1, trainedEpochs: 3, resumedFrom: 0 });
    // Each epoch as it is trained; `completed` carries all of them again (written with the status).
    expect(summary(events)).toEqual(['started@1', 'epoch1@1', 'epoch2@1', 'epoch3@1', 'completed@1']);
    const completed = events.at(-1);
    expect(completed?.type === 'finished' && completed.epochs?.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(ResultEvent.safeParse(completed).success).toBe(true);
    expect(events[0]).toMatchObject({ worker: 'test-worker', backend: 'wasm', device: 'test cpu' });
    expect(run.progress.map((p) => `${p.stage}:${p.epoch}/${p.epochs}`)).toEqual([
      'loading:0/3',
      'training:1/3',
      'training:2/3',
      'training:3/3',
    ]);
    expect(run.logs.filter((l) => l.includes('trained epoch'))).toHaveLength(3);
    expect(await readdir(dir)).toEqual([]);
  });

  it('stops after a checkpoint when asked, hands the job back, and the next run resumes without retraining', async () => {
    const data = trialData({}, 2);
    stopAfterEpoch = 1;
    const first = job(data, { attemptsStarted: 1 });
    await expect(runTrialJob(first.job, deps)).rejects.toBeInstanceOf(WaitingError);
    expect(requeued).toBe(1);
    expect(summary(events)).toEqual(['started@3', 'epoch1@3']);
    expect((await deps.checkpoints.load(data.trialId))?.epoch).toBe(1);

    stopAfterEpoch = undefined;
    events = [];
    const second = job(data, { attemptsStarted: 2 });
    const outcome = await runTrialJob(second.job, deps);
    expect(outcome).toEqual({ status: 'completed', attempt: 4, trainedEpochs: 2, resumedFrom: 1 });
    // Epoch 1 is replayed from the checkpoint (not retrained), 2 and 3 are trained.
    expect(summary(events).slice(0, 4)).toEqual(['started@4', 'epoch1@4', 'epoch2@4', 'epoch3@4']);
    expect(summary(events).at(-1)).toBe('completed@4');
    // The history restored from the checkpoint travels with `completed` too.
    const completed = events.at(-1);
    expect(completed?.type === 'finished' && completed.epochs?.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(second.logs.some((l) => l.includes('resuming after epoch 1'))).toBe(true);
    expect(second.logs.filter((l) => l.includes('trained epoch'))).toHaveLength(2);
  });

  it('asks about a cancel only while epochs remain', async () => {
    let asked = 0;
    deps.isCancelled = async () => {
      asked += 1;
      return false;
    };
    await runTrialJob(job(trialData()).job, deps);
    expect(asked).toBe(2);
  });

  it('stops a cancelled trial after the epoch it learned of it, without a finished event', async () => {
    const data = trialData();
    cancelAfterEpoch = 1;
    const run = job(data);
    const outcome = await runTrialJob(run.job, deps);
    expect(outcome).toEqual({ status: 'cancelled', attempt: 1, trainedEpochs: 1, resumedFrom: 0 });
    expect(summary(events)).toEqual(['started@1', 'epoch1@1']);
    expect(requeued).toBe(0);
    // Kept, so that a resume continues after epoch 1.
    expect((await deps.checkpoints.load(data.trialId))?.epoch).toBe(1);
    expect(run.logs.at(-1)).toMatch(/trial cancelled; stopped after epoch 1/);
  });

  // Ownership is asked twice per epoch: with the capture (before saving) and once the checkpoint is saved.
  it.each([
    { when: 'mid-trial, before the save', epoch: 2, check: 'before-save', checkpointed: 1 },
    { when: 'at the last epoch, before the save', epoch: 3, check: 'before-save', checkpointed: 2 },
    // Another run may have loaded the older checkpoint already: the epoch is saved but not published.
    { when: 'mid-trial, after the save', epoch: 2, check: 'after-save', checkpointed: 2 },
  ] as const)(
    'stops writing once the job is no longer its own ($when), leaving the checkpoint to the owner',
    async ({ epoch, check, checkpointed }) => {
      const data = trialData();
      let asked = 0;
      const lostAtAsk = 2 * (epoch - 1) + (check === 'before-save' ? 1 : 2);
      deps.ownsJob = async () => {
        asked += 1;
        return asked < lostAtAsk;
      };
      const run = job(data);
      await expect(runTrialJob(run.job, deps)).rejects.toBeInstanceOf(WaitingError);
      // The epoch trained when the loss was seen is not published, and nothing is finished.
      const recorded = Array.from({ length: epoch - 1 }, (_, i) => `epoch${i + 1}@1`);
      expect(summary(events)).toEqual(['started@1', ...recorded]);
      expect(asked).toBe(lostAtAsk);
      expect(requeued).toBe(0);
      expect((await deps.checkpoints.load(data.trialId))?.epoch).toBe(checkpointed);
      expect(run.logs.at(-1)).toMatch(/no longer ours/);
      expect(run.progress.map((p) => p.epoch).at(-1)).toBe(epoch - 1);
    },
  );

  it('fails a config that can never work for good and records it', async () => {
    const data = trialData({ architecture: 'vgg11', resolution: 8, depth: undefined, baseWidth: undefined });
    const run = job(data);
    const error = await runTrialJob(run.job, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/ResolutionTooSmallError/);
    expect(summary(events)).toEqual(['started@1', 'failed@1']);
  });

  it('fails an invalid payload for good, recording it when the payload names its trial', async () => {
    const data = { ...trialData(), config: { architecture: 'simple-cnn' } };
    const error = await runTrialJob(job(data).job, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/config\./);
    expect(summary(events)).toEqual(['failed@1']);
  });

  it('records divergence once and does not retry', async () => {
    const data = trialData({
      depth: 3,
      baseWidth: 8,
      dataset: { name: 'synthetic', trainLimit: 256, testLimit: 32 },
      training: { epochs: 3, batchSize: 32, learningRate: 100, optimizer: 'sgd' },
    });
    const outcome = await runTrialJob(job(data).job, deps);
    expect(outcome.status).toBe('diverged');
    const finished = events.at(-1);
    expect(finished).toMatchObject({ type: 'finished', status: 'diverged' });
    expect(finished?.type === 'finished' && finished.error).toMatch(/diverged/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports failed only on the last attempt of a retryable error', async () => {
    const failing: TrialRunnerDeps = {
      ...deps,
      dataset: async () => {
        throw Object.assign(new Error('disk on fire'), { name: 'DatasetNotFoundError' });
      },
    };
    const data = trialData();
    await expect(runTrialJob(job(data, { attemptsMade: 0, attempts: 2 }).job, failing)).rejects.toThrow(
      'disk on fire',
    );
    expect(summary(events)).toEqual(['started@1']);
    await expect(
      runTrialJob(job(data, { attemptsMade: 1, attemptsStarted: 2, attempts: 2 }).job, failing),
    ).rejects.toThrow('disk on fire');
    expect(summary(events)).toEqual(['started@1', 'started@2', 'failed@2']);
    expect(events.at(-1)).toMatchObject({ error: 'DatasetNotFoundError: disk on fire' });
  });
});
