import { TrialConfig, trialIdFor } from '@satfarm/contracts';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkRedis,
  enqueueTrials,
  openFarmQueues,
  parseTrialJob,
  publishResult,
  RedisUnreachableError,
  resultJobId,
  type FarmQueues,
} from '../src/index.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sweepId = 'b'.repeat(32);

function trial(seed: number) {
  const config = TrialConfig.parse({
    architecture: 'simple-cnn',
    resolution: 16,
    seed,
    dataset: { name: 'synthetic' },
    training: { epochs: 1, batchSize: 32 },
  });
  return { sweepId, trialId: trialIdFor(sweepId, config), config };
}

let queues: FarmQueues | undefined;
afterEach(async () => {
  await queues?.obliterate();
  await queues?.close();
  queues = undefined;
});

function open(): FarmQueues {
  queues = openFarmQueues({ redisUrl: REDIS_URL, prefix: `satfarm-test-q-${process.pid}-${Date.now()}` });
  return queues;
}

describe('checkRedis', () => {
  it('answers for a running server', async () => {
    await checkRedis(REDIS_URL, 2_000);
  });

  it('fails fast, hides the password and says how to start Redis', async () => {
    const started = Date.now();
    const error = await checkRedis('redis://farm:hunter2@127.0.0.1:1/0', 1_000).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    const message = (error as Error).message;
    expect(message).toContain('redis://farm:***@127.0.0.1:1/0');
    expect(message).not.toContain('hunter2');
    expect(message).toContain('docker compose up -d redis');
    expect(message).toContain('redis-server');
  });
});

describe('trials queue', () => {
  it('adds one job per trial, keyed by trial id, however often it is enqueued', async () => {
    const { trials } = open();
    const batch = [trial(1), trial(2), trial(3)];
    await enqueueTrials(trials, batch, { attempts: 2 });
    await enqueueTrials(trials, batch.slice(0, 2), { attempts: 2 });
    expect(await trials.getJobCountByTypes('waiting', 'prioritized')).toBe(3);
    const job = await trials.getJob(batch[1]!.trialId);
    expect(job?.opts.attempts).toBe(2);
    expect(job?.opts.backoff).toEqual({ type: 'exponential', delay: 5_000 });
    expect(parseTrialJob(job?.data, job?.id)).toEqual({ ...batch[1], attemptsBefore: 0, rung: 0 });
  });

  it('adds nothing when one trial of the batch is invalid', async () => {
    const { trials } = open();
    const bad = { ...trial(5), trialId: trial(6).trialId };
    await expect(enqueueTrials(trials, [trial(4), bad], { attempts: 1 })).rejects.toThrow(
      /not the id of its config/,
    );
    expect(await trials.getJobCountByTypes('waiting', 'prioritized')).toBe(0);
  });
});

describe('results queue', () => {
  it('deduplicates a re-sent event by its deterministic job id', async () => {
    const { results } = open();
    const t = trial(1);
    const event = {
      type: 'started' as const,
      trialId: t.trialId,
      sweepId,
      attempt: 1,
      worker: 'w',
      backend: 'wasm',
      device: 'cpu',
      at: new Date().toISOString(),
    };
    await publishResult(results, event);
    await publishResult(results, { ...event, at: new Date(Date.now() + 1000).toISOString() });
    expect(await results.getJobCountByTypes('waiting')).toBe(1);
    expect((await results.getJob(resultJobId(event)))?.data).toEqual(event);
    await expect(publishResult(results, { ...event, attempt: 0 })).rejects.toThrow(/attempt/);
  });

  it('takes the same event again once the aggregator has written it (a second database must hear of it)', async () => {
    const { results } = open();
    const event = {
      type: 'started' as const,
      trialId: trial(2).trialId,
      sweepId,
      attempt: 1,
      worker: 'w',
      backend: 'wasm',
      device: 'cpu',
      at: new Date().toISOString(),
    };
    await publishResult(results, event);
    const written = new Promise<void>((resolve) => {
      const consumer = new Worker(results.name, async () => undefined, {
        connection: { url: REDIS_URL },
        prefix: results.opts.prefix,
      });
      consumer.once('completed', () => void consumer.close().then(resolve));
    });
    await written;
    await publishResult(results, event);
    expect(await results.getJobCountByTypes('waiting')).toBe(1);
    expect(await results.getJobCountByTypes('completed')).toBe(0);
  });
});
