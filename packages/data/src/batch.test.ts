import { describe, expect, it } from 'vitest';
import { gatherBatch } from './batch.ts';
import type { Split } from './dataset.ts';
import { InvalidDatasetOptionError } from './errors.ts';

// 5 images of 2 pixels each: image i holds [10i, 10i + 1], label 100 + i.
const split: Split = {
  images: Float32Array.from({ length: 10 }, (_, k) => 10 * Math.floor(k / 2) + (k % 2)),
  labels: Int32Array.from({ length: 5 }, (_, i) => 100 + i),
  count: 5,
};

describe('gatherBatch', () => {
  it('copies the images and labels at indices[start..end)', () => {
    const order = [4, 0, 3, 1, 2];
    const { images, labels } = gatherBatch(split, order, 1, 4, 2);
    expect([...images]).toEqual([0, 1, 30, 31, 10, 11]);
    expect([...labels]).toEqual([100, 103, 101]);
  });

  it('returns fresh arrays that do not alias the split', () => {
    const { images, labels } = gatherBatch(split, Int32Array.from([0]), 0, 1, 2);
    images[0] = -1;
    labels[0] = -1;
    expect(split.images[0]).toBe(0);
    expect(split.labels[0]).toBe(100);
  });

  it('gives an empty batch for start === end', () => {
    expect(gatherBatch(split, [1, 2], 1, 1, 2).images.length).toBe(0);
  });

  it('rejects bad ranges, indices and pixel counts', () => {
    expect(() => gatherBatch(split, [0, 1], 1, 3, 2)).toThrow(InvalidDatasetOptionError);
    expect(() => gatherBatch(split, [0, 1], 2, 1, 2)).toThrow(/batch range '2\.\.1'/);
    expect(() => gatherBatch(split, [0, 5], 0, 2, 2)).toThrow(
      /indices\[1\] '5': expected an integer in 0\.\.4/,
    );
    expect(() => gatherBatch(split, [0], 0, 1, 3)).toThrow(/pixelsPerImage '3'/);
  });
});
