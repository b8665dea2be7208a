import { TrialConfig } from '@satfarm/contracts';
import { describe, expect, it } from 'vitest';
import { DatasetCache } from './dataset-cache.ts';

const config = (resolution: number, seed = 1) =>
  TrialConfig.parse({
    architecture: 'simple-cnn',
    resolution,
    seed,
    dataset: { name: 'synthetic' },
    training: { epochs: 1, batchSize: 8 },
  });

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
