import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFarmQueues } from '@satfarm/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../src/index.ts';
import { recordingLogger } from './recording-logger.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `satfarm-test-prewarm-${process.pid}-${Date.now()}`;
let worker: WorkerHandle | undefined;
let dir: string | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  const queues = openFarmQueues({ redisUrl, prefix });
  await queues.obliterate();
  await queues.close();
});

describe('startWorker', () => {
  it('starts every trainer process before it reports ready', async () => {
    dir = await mkdtemp(join(tmpdir(), 'satfarm-prewarm-'));
    const { records, logger } = recordingLogger();
    worker = await startWorker({
      redisUrl,
      prefix,
      checkpointStore: 'file',
      checkpointDir: dir,
      fashionMnistDir: '/nonexistent',
      backend: 'wasm',
      concurrency: 2,
      logger,
    });
    const warm = records.find((r) => r.msg === 'trainer processes ready');
    expect(warm?.fields).toMatchObject({ ready: 2, failed: 0, supported: true });
    const order = records.map((r) => r.msg);
    expect(order.indexOf('trainer processes ready')).toBeLessThan(order.indexOf('worker ready'));
  });
});
