import { existsSync } from 'node:fs';
import { TrialConfig } from '@satfarm/contracts';
import { selectBackend } from '@satfarm/backends';
import { prepareDataset } from '@satfarm/training';
import { describe, expect, it } from 'vitest';
import { DatasetCache, datasetKey } from './dataset-cache.ts';

const config = (resolution: number, seed = 1, dataset: 'synthetic' | 'fashion-mnist' = 'synthetic') =>
  TrialConfig.parse({
    architecture: 'simple-cnn',
    resolution,
    seed,
    dataset: { name: dataset, trainLimit: 2, testLimit: 2 },
    training: { epochs: 1, batchSize: 8 },
  });
const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

describe('DatasetCache', () => {
  it('loads each (dataset, resolution, seed) once while it stays among the most recent', async () => {
    const loads: string[] = [];
    const cache = new DatasetCache(2, async (c) => {
      loads.push(`${c.resolution}/${c.seed}`);
      return `data ${c.resolution}/${c.seed}`;
    });
    expect(await cache.get(config(16))).toBe('data 16/1');
    expect(await cache.get({ ...config(16), architecture: 'vgg11' })).toBe('data 16/1');
    await cache.get(config(16, 2));
    await cache.get(config(16));
    await cache.get(config(32)); // evicts 16/2, the least recently used
    await cache.get(config(16, 2));
    expect(loads).toEqual(['16/1', '16/2', '32/1', '16/2']);
    expect(cache.size).toBe(2);
  });

  it('shares a real dataset between seeds, but not synthetic data (the seed picks it)', async () => {
    const loads: string[] = [];
    const cache = new DatasetCache(1, async (c) => {
      loads.push(`${c.dataset.name}/${c.seed}`);
      return c.dataset.name;
    });
    await cache.get(config(16, 1, 'fashion-mnist'));
    await cache.get(config(16, 2, 'fashion-mnist'));
    await cache.get(config(16, 1));
    await cache.get(config(16, 2));
    expect(loads).toEqual(['fashion-mnist/1', 'synthetic/1', 'synthetic/2']);
    expect(datasetKey(config(16, 1, 'fashion-mnist'))).not.toBe(datasetKey(config(20, 1, 'fashion-mnist')));
  });

  // The key above is right only while prepared real data does not depend on the seed.
  it.skipIf(!existsSync(FASHION_MNIST_DIR))('prepares the same Fashion-MNIST for any seed', async () => {
    await selectBackend('cpu');
    const prepare = (seed: number) => {
      const c = config(8, seed, 'fashion-mnist');
      return prepareDataset(c.dataset, c.resolution, c.seed, { fashionMnistDir: FASHION_MNIST_DIR });
    };
    const [a, b] = await Promise.all([prepare(1), prepare(2)]);
    expect(b.train.images).toEqual(a.train.images);
    expect(b.test.labels).toEqual(a.test.labels);
  });

  it('does not keep a failed load', async () => {
    let calls = 0;
    const cache = new DatasetCache(1, async () => {
      calls += 1;
      if (calls === 1) throw new Error('not there yet');
      return 'ok';
    });
    await expect(cache.get(config(16))).rejects.toThrow('not there yet');
    expect(await cache.get(config(16))).toBe('ok');
  });
});
