import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.ts';
import { channelStats, normalize } from './normalize.ts';
import { syntheticDataset } from './synthetic.ts';
import { sameValues } from './test-fixtures.ts';

describe('normalize', () => {
  it('gives mean ≈ 0 and std ≈ 1 per channel on train, using train statistics for test', () => {
    const ds = syntheticDataset({ seed: 2, trainCount: 200, testCount: 50, channels: 3 });
    const before = ds.train.images.slice();
    const { mean, std } = channelStats(ds.train, 3);
    const out = normalize(ds);
    const after = channelStats(out.train, 3);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(after.mean[c]!)).toBeLessThan(1e-5);
      expect(after.std[c]).toBeCloseTo(1, 4);
    }
    // Test split: transformed with TRAIN statistics, not its own.
    for (const i of [0, 1, 2, 777, out.test.images.length - 1]) {
      const c = i % 3;
      expect(out.test.images[i]).toBeCloseTo((ds.test.images[i]! - mean[c]!) / std[c]!, 5);
    }
    expect(channelStats(out.test, 3).mean[0]).not.toBe(0);
    // Pure: input untouched, shape fields carried over.
    expect(sameValues(ds.train.images, before)).toBe(true);
    expect([out.height, out.channels, out.train.count, out.test.count]).toEqual([16, 3, 200, 50]);
  });

  it('maps a constant channel to zeros instead of NaN', () => {
    const split = { images: new Float32Array([0.5, 0.1, 0.5, 0.3]), labels: new Int32Array(2), count: 2 };
    const ds: Dataset = {
      name: 'x',
      height: 1,
      width: 1,
      channels: 2,
      classes: 2,
      classNames: ['a', 'b'],
      train: split,
      test: split,
    };
    const out = normalize(ds).train.images;
    expect([out[0], out[2]]).toEqual([0, 0]);
    expect(out[1]).toBeCloseTo(-1, 5);
    expect(out[3]).toBeCloseTo(1, 5);
  });
});
