import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.ts';
import { InvalidDatasetOptionError } from './errors.ts';
import { syntheticDataset } from './synthetic.ts';
import { sameValues } from './test-fixtures.ts';

/**
 * Test accuracy of a nearest-class-mean classifier fitted on the train split: a crude stand-in for
 * "a small CNN learns it", cheap enough for a unit test. If even this is well above chance, the
 * classes are separable from the pixels.
 */
function nearestCentroidAccuracy(ds: Dataset): number {
  const ppi = ds.height * ds.width * ds.channels;
  const centroids = Array.from({ length: ds.classes }, () => new Float64Array(ppi));
  const counts = new Array(ds.classes).fill(0);
  for (let n = 0; n < ds.train.count; n++) {
    const c = ds.train.labels[n]!;
    counts[c]++;
    for (let p = 0; p < ppi; p++) centroids[c]![p]! += ds.train.images[n * ppi + p]!;
  }
  centroids.forEach((m, c) => {
    for (let p = 0; p < ppi; p++) m[p] = m[p]! / counts[c];
  });
  let correct = 0;
  for (let n = 0; n < ds.test.count; n++) {
    let best = -1;
    let bestDist = Number.POSITIVE_INFINITY;
    centroids.forEach((m, c) => {
      let d = 0;
      for (let p = 0; p < ppi; p++) d += (ds.test.images[n * ppi + p]! - m[p]!) ** 2;
      if (d < bestDist) [best, bestDist] = [c, d];
    });
    if (best === ds.test.labels[n]) correct++;
  }
  return correct / ds.test.count;
}

describe('syntheticDataset', () => {
  it('has the requested shape, values in [0, 1] and balanced labels', () => {
    const ds = syntheticDataset({ seed: 1, trainCount: 100, testCount: 40 });
    expect([ds.name, ds.height, ds.width, ds.channels, ds.classes]).toEqual(['synthetic', 16, 16, 1, 4]);
    expect(ds.classNames).toHaveLength(4);
    expect(ds.train.images.length).toBe(100 * 256);
    expect(ds.test.labels.length).toBe(40);
    expect(ds.train.images.every((v) => v >= 0 && v <= 1)).toBe(true);
    const h = [0, 0, 0, 0];
    for (const l of ds.train.labels) h[l]!++;
    expect(h).toEqual([25, 25, 25, 25]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = syntheticDataset({ seed: 5, trainCount: 30, testCount: 10 });
    const b = syntheticDataset({ seed: 5, trainCount: 30, testCount: 10 });
    const c = syntheticDataset({ seed: 6, trainCount: 30, testCount: 10 });
    expect(sameValues(b.train.images, a.train.images)).toBe(true);
    expect(b.test.labels).toEqual(a.test.labels);
    expect(sameValues(c.train.images, a.train.images)).toBe(false);
    expect(sameValues(c.test.images, a.test.images)).toBe(false);
  });

  it('keeps the test split fixed when only trainCount changes', () => {
    const a = syntheticDataset({ seed: 5, trainCount: 30, testCount: 10 });
    const b = syntheticDataset({ seed: 5, trainCount: 60, testCount: 10 });
    expect(sameValues(b.test.images, a.test.images)).toBe(true);
  });

  it('is learnable: nearest class mean is far above chance', () => {
    const gray = syntheticDataset({ seed: 3, trainCount: 400, testCount: 200 });
    expect(nearestCentroidAccuracy(gray)).toBeGreaterThan(0.9); // chance 0.25
    const colour = syntheticDataset({
      seed: 3,
      trainCount: 400,
      testCount: 200,
      size: 20,
      channels: 3,
      classes: 10,
    });
    expect(colour.train.images.length).toBe(400 * 20 * 20 * 3);
    expect(nearestCentroidAccuracy(colour)).toBeGreaterThan(0.6); // chance 0.1
  });

  it('rejects counts and sizes that cannot work', () => {
    expect(() => syntheticDataset({ seed: 1, trainCount: 0, testCount: 1 })).toThrow(
      InvalidDatasetOptionError,
    );
    expect(() => syntheticDataset({ seed: 1, trainCount: 1, testCount: 1, classes: 1 })).toThrow(
      /classes '1'/,
    );
    expect(() => syntheticDataset({ seed: 1, trainCount: 1, testCount: 1, size: 2.5 })).toThrow(/size '2.5'/);
    expect(() => syntheticDataset({ seed: 0.5, trainCount: 1, testCount: 1 })).toThrow(/seed/);
  });
});
