import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.ts';
import { InvalidDatasetOptionError } from './errors.ts';
import { RESIZE_CHUNK, resizeDataset, resizeDatasetAsync } from './resize.ts';
import { sameValues } from './test-fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Images of smooth low-frequency waves (different per image and channel), so bilinear resampling is nearly lossless. */
function smoothDataset(count: number, size: number, channels: number): Dataset {
  const ppi = size * size * channels;
  const images = new Float32Array(count * ppi);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < channels; c++) {
          const u = (x + 0.5) / size;
          const v = (y + 0.5) / size;
          images[n * ppi + (y * size + x) * channels + c] =
            0.5 + 0.4 * Math.sin(2 * Math.PI * (u * (1 + (n % 2)) + 0.3 * c)) * Math.cos(Math.PI * v + n);
        }
      }
    }
  }
  const split = (k: number) => ({
    images: images.slice(0, k * ppi),
    labels: Int32Array.from({ length: k }, (_, i) => i % 3),
    count: k,
  });
  return {
    name: 's',
    height: size,
    width: size,
    channels,
    classes: 3,
    classNames: ['a', 'b', 'c'],
    train: split(count),
    test: split(Math.ceil(count / 2)),
  };
}

describe('resizeDataset', () => {
  it('uses half-pixel centres (alignCorners false)', () => {
    const ds: Dataset = {
      ...smoothDataset(1, 2, 1),
      train: { images: new Float32Array([0, 1, 2, 3]), labels: new Int32Array([0]), count: 1 },
    };
    const row0 = [...resizeDataset(ds, 4).train.images.subarray(0, 4)];
    // Source pixels sit at 0.5 and 1.5 of 2; output centres at 0.25, 0.75, 1.25, 1.75 → clamp, ¼, ¾, clamp.
    expect(row0).toEqual([0, 0.25, 0.75, 1]);
  });

  it('round-trips 28 → 56 → 28 closely and leaks no tensors', () => {
    const ds = smoothDataset(6, 28, 1);
    const before = tf.memory().numTensors;
    const up = resizeDataset(ds, 56);
    const back = resizeDataset(up, 28);
    expect(tf.memory().numTensors).toBe(before);
    expect([up.height, up.width, up.train.images.length, up.test.count]).toEqual([56, 56, 6 * 56 * 56, 3]);
    expect(up.train.labels).toBe(ds.train.labels);
    // With half-pixel centres, ×2 up then ×2 down is exactly the separable blur [⅛, ¾, ⅛] away
    // from the border: check that identity on interior pixels, and closeness everywhere.
    const img = (a: Float32Array, n: number, y: number, x: number) => a[n * 784 + y * 28 + x]!;
    const blur1d = [0.125, 0.75, 0.125];
    let maxErr = 0;
    let maxBlurErr = 0;
    for (let n = 0; n < 6; n++) {
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const got = img(back.train.images, n, y, x);
          maxErr = Math.max(maxErr, Math.abs(got - img(ds.train.images, n, y, x)));
          if (y === 0 || y === 27 || x === 0 || x === 27) continue;
          let blurred = 0;
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              blurred += blur1d[dy + 1]! * blur1d[dx + 1]! * img(ds.train.images, n, y + dy, x + dx);
            }
          }
          maxBlurErr = Math.max(maxBlurErr, Math.abs(got - blurred));
        }
      }
    }
    expect(maxBlurErr).toBeLessThan(1e-5);
    expect(maxErr).toBeLessThan(0.03);
    expect(maxErr).toBeGreaterThan(0); // a real resample, not a copy
  });

  it('returns the dataset itself when it already has that size', () => {
    const ds = smoothDataset(2, 8, 1);
    expect(resizeDataset(ds, 8)).toBe(ds);
  });

  it('gives the same images across chunk boundaries as one image at a time', async () => {
    const ds = smoothDataset(RESIZE_CHUNK + 5, 6, 2);
    const before = tf.memory().numTensors;
    const out = resizeDataset(ds, 9);
    const outAsync = await resizeDatasetAsync(ds, 9);
    expect(tf.memory().numTensors).toBe(before);
    expect(sameValues(outAsync.train.images, out.train.images)).toBe(true);
    const ppiIn = 6 * 6 * 2;
    const ppiOut = 9 * 9 * 2;
    for (const n of [0, RESIZE_CHUNK - 1, RESIZE_CHUNK, RESIZE_CHUNK + 4]) {
      const single = tf.tidy(() =>
        tf.image
          .resizeBilinear(
            tf.tensor4d(ds.train.images.slice(n * ppiIn, (n + 1) * ppiIn), [1, 6, 6, 2]),
            [9, 9],
            false,
            true,
          )
          .dataSync(),
      );
      expect(sameValues(out.train.images.subarray(n * ppiOut, (n + 1) * ppiOut), single)).toBe(true);
    }
  });

  it('rejects resolutions that are not positive integers', () => {
    const ds = smoothDataset(1, 4, 1);
    expect(() => resizeDataset(ds, 0)).toThrow(InvalidDatasetOptionError);
    expect(() => resizeDataset(ds, 7.5)).toThrow(/resolution '7.5'/);
  });
});
