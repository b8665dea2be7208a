import * as tf from '@tensorflow/tfjs';
import { batchMoments } from '@satfarm/saturation';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
import { type DeviceMoments, deviceMoments, momentTensors, spatialStride } from './batch-moments.ts';
import { toCentred } from './host-moments.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / scale;
}

/** Worst relative error over the diagonal (the channel variances) of a width×width matrix. */
function worstVarianceError(got: ArrayLike<number>, want: ArrayLike<number>, width: number): number {
  let worst = 0;
  for (let i = 0; i < width; i++) {
    const w = want[i * width + i]!;
    worst = Math.max(worst, Math.abs(got[i * width + i]! - w) / w);
  }
  return worst;
}

/** Reads device moments and finishes them on the host, as the tracker does. */
async function onHost(m: DeviceMoments, width: number) {
  const [first, gram] = (await Promise.all(momentTensors(m).map((t) => t.data()))) as [
    Float32Array,
    Float32Array,
  ];
  return m.form === 'raw'
    ? toCentred(m.count, undefined, first, gram, width)
    : toCentred(m.count, first.subarray(0, width), first.subarray(width), gram, width);
}

describe('device moments', () => {
  it('shifted and raw forms both match the float64 host computation for roughly centred data', async () => {
    const x = tf.randomNormal([8, 6, 6, 5], 0.3, 2, 'float32', 11);
    const exact = batchMoments(await x.data(), 8 * 6 * 6, 5);
    const shifted = deviceMoments(x, 0, 'shifted');
    const raw = deviceMoments(x, 0, 'raw');
    expect([shifted.form, shifted.count, raw.form]).toEqual(['shifted', 288, 'raw']);
    const fromShifted = await onHost(shifted, 5);
    expect(maxRelError(fromShifted.moments.m2, exact.m2)).toBeLessThan(1e-5);
    expect(maxRelError(fromShifted.moments.mean, exact.mean)).toBeLessThan(1e-5);
    const fromRaw = await onHost(raw, 5);
    expect(maxRelError(fromRaw.moments.m2, exact.m2)).toBeLessThan(1e-4);
    expect(fromRaw.meanToSpread).toBeLessThan(1);
    tf.dispose([x, ...momentTensors(shifted), ...momentTensors(raw)]);
  });

  // The issue this guards: a float32 mean of 65,536 rows near 10⁴ (ones·X on wasm) missed the mean by
  // several standard deviations, so the variance came out ~9× too large at mean/std = 10⁴.
  it('keeps the variance exact at mean/std = 10⁴ and 10⁶ over 65,536 rows, conv and dense', async () => {
    for (const [shape, mean, std, tolerance] of [
      [[64, 32, 32, 8], 1e4, 1, 1e-4],
      [[64, 32, 32, 8], 1e4, 1e-2, 1e-3],
      [[65_536, 8], 1e4, 1, 1e-4],
      [[65_536, 8], 1e4, 1e-2, 1e-3],
    ] as const) {
      const x = tf.randomNormal([...shape], mean, std, 'float32', 3);
      const exact = batchMoments(await x.data(), 65_536, 8);
      const m = deviceMoments(x, 0, 'shifted');
      const host = await onHost(m, 8);
      expect(worstVarianceError(host.moments.m2, exact.m2, 8), `${shape} std ${std}`).toBeLessThan(tolerance);
      for (let i = 0; i < 8; i++)
        expect(Math.abs(host.moments.mean[i]! - exact.mean[i]!)).toBeLessThan(std / 100);
      // The pilot shift lands within about a standard deviation of the mean in every channel.
      expect(host.meanToSpread).toBeLessThan(1);
      tf.dispose([x, ...momentTensors(m)]);
    }
  });

  it('takes the pilot shift from the interior of conv maps, away from padded borders', async () => {
    // Every map is 0 with a border of 1000: a pilot from the first rows (a corner) would sit 1000
    // away from a mean of about 1000·(1 − 6²/8²) ≈ 437; the centre position is 0, much closer.
    const x = tf.tidy(() =>
      tf.pad(
        tf.zeros([64, 6, 6, 2]),
        [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
        1000,
      ),
    );
    const m = deviceMoments(x, 0, 'shifted');
    if (m.form !== 'shifted') throw new Error('wrong form');
    const shift = await m.shiftAndSum.data();
    expect(Array.from(shift.subarray(0, 2))).toEqual([0, 0]);
    const exact = batchMoments(await x.data(), 64 * 64, 2);
    const host = await onHost(m, 2);
    // The Gram matrix of 1792 values of 10⁶ accumulates float32 round-off: 1e-4, not 1e-5.
    expect(maxRelError(host.moments.m2, exact.m2)).toBeLessThan(1e-4);
    tf.dispose([x, ...momentTensors(m)]);
  });

  it('reports the conditioning that makes the raw form unsafe for a large mean', async () => {
    const x = tf.randomNormal([256, 3], 1000, 1, 'float32', 5);
    const host = await onHost(deviceMoments(x, 0, 'raw'), 3);
    expect(host.meanToSpread).toBeGreaterThan(1e5);
    const shifted = deviceMoments(x, 0, 'shifted');
    expect((await onHost(shifted, 3)).meanToSpread).toBeLessThan(1);
    tf.dispose([x, ...momentTensors(shifted)]);
  });

  it('subsamples conv outputs spatially only when asked to', () => {
    expect(spatialStride(64, 32, 32, 0)).toBe(1);
    expect(spatialStride(64, 32, 32, 65_536)).toBe(1);
    expect(spatialStride(64, 32, 32, 16_384)).toBe(2);
    const x = tf.zeros([2, 8, 8, 3]);
    const m = deviceMoments(x, 32, 'shifted');
    expect(m.count).toBe(2 * 4 * 4);
    tf.dispose([x, ...momentTensors(m)]);
  });

  it('leaves no tensor behind', () => {
    const x = tf.randomNormal([4, 5, 5, 3]);
    const dense = tf.randomNormal([300, 7]);
    const before = tf.memory().numTensors;
    for (const m of [
      deviceMoments(x, 0, 'shifted'),
      deviceMoments(x, 0, 'raw'),
      deviceMoments(dense, 0, 'shifted'),
    ]) {
      expect(momentTensors(m)).toHaveLength(2);
      tf.dispose(momentTensors(m));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dense]);
  });
});
