import { describe, expect, it } from 'vitest';
import { parseWorkerArgs, WorkerUsageError } from './cli-args.ts';
import { compileWorkerOptions, InvalidWorkerOptionError } from './worker-options.ts';

describe('parseWorkerArgs', () => {
  it('takes flags over environment over defaults', () => {
    const options = parseWorkerArgs(['--concurrency', '2', '--backend', 'wasm', '--prefix', 'p'], {
      REDIS_URL: 'redis://r:1',
      CHECKPOINT_DIR: '/ck',
      SATFARM_WORKER_ID: 'env-id',
    });
    expect(options).toMatchObject({
      redisUrl: 'redis://r:1',
      prefix: 'p',
      concurrency: 2,
      checkpointDir: '/ck',
      fashionMnistDir: '/usr/share/datasets/fashion-mnist',
      backend: 'wasm',
      workerId: 'env-id',
    });
    expect(parseWorkerArgs(['--redis-url', 'redis://x'], { REDIS_URL: 'redis://r:1' }).redisUrl).toBe(
      'redis://x',
    );
    expect(parseWorkerArgs([], {}).prewarm).toBeUndefined();
    expect(parseWorkerArgs(['--no-prewarm'], {}).prewarm).toBe(false);
  });

  it('names the bad flag and what is valid', () => {
    expect(() => parseWorkerArgs(['--backend', 'gpu'], {})).toThrow(
      /--backend: got 'gpu', expected one of auto/,
    );
    expect(() => parseWorkerArgs(['--concurrency', 'two'], {})).toThrow(WorkerUsageError);
    expect(() => parseWorkerArgs(['--nope'], {})).toThrow(/nope/);
  });
});

describe('compileWorkerOptions', () => {
  it('fills defaults once', () => {
    const o = compileWorkerOptions({ redisUrl: 'redis://h', checkpointDir: '/c', fashionMnistDir: '/f' });
    expect(o).toMatchObject({
      prefix: 'satfarm',
      concurrency: 1,
      backend: 'auto',
      maxStalledCount: 3,
      lockDurationMs: 30_000,
      prewarm: true,
    });
    expect(o.workerId).toMatch(/:\d+$/);
  });

  it('names the bad option and value', () => {
    const noWorkers = () =>
      compileWorkerOptions({
        redisUrl: 'redis://h',
        checkpointDir: '/c',
        fashionMnistDir: '/f',
        concurrency: 0,
      });
    expect(noWorkers).toThrow(InvalidWorkerOptionError);
    expect(noWorkers).toThrow(/concurrency: .*\(got 0\)/);
  });
});
