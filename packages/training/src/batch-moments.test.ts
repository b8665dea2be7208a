import * as tf from '@tensorflow/tfjs';
import { batchMoments } from '@satfarm/saturation';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backends/index.ts';
import { deviceMoments, momentTensors, spatialStride } from './batch-moments.ts';
import { rawToCentred } from './host-moments.ts';

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

describe('device moments', () => {
  it('centred and raw forms both match the float64 host computation for roughly centred data', async () => {
    const x = tf.randomNormal([8, 6, 6, 5], 0.3, 2, 'float32', 11);
    const rows = await x.data();
    const exact = batchMoments(rows, 8 * 6 * 6, 5);
    const centred = deviceMoments(x, 0, 'centred');
    const raw = deviceMoments(x, 0, 'raw');
    expect(centred.count).toBe(288);
    if (centred.form !== 'centred' || raw.form !== 'raw') throw new Error('wrong form');
    expect(maxRelError(await centred.m2.data(), exact.m2)).toBeLessThan(1e-5);
    expect(maxRelError(await centred.mean.data(), exact.mean)).toBeLessThan(1e-5);
    const host = rawToCentred(raw.count, await raw.sum.data(), await raw.gram.data(), 5);
    expect(maxRelError(host.moments.m2, exact.m2)).toBeLessThan(1e-4);
    expect(host.meanToSpread).toBeLessThan(1);
    tf.dispose([x, ...momentTensors(centred), ...momentTensors(raw)]);
  });

  it('reports the conditioning that makes the raw form unsafe for a large mean', async () => {
    const x = tf.randomNormal([256, 3], 1000, 1, 'float32', 5);
    const raw = deviceMoments(x, 0, 'raw');
    if (raw.form !== 'raw') throw new Error('wrong form');
    const host = rawToCentred(raw.count, await raw.sum.data(), await raw.gram.data(), 3);
    expect(host.meanToSpread).toBeGreaterThan(1e5);
    tf.dispose([x, ...momentTensors(raw)]);
  });

  it('subsamples conv outputs spatially only when asked to', () => {
    expect(spatialStride(64, 32, 32, 0)).toBe(1);
    expect(spatialStride(64, 32, 32, 65_536)).toBe(1);
    expect(spatialStride(64, 32, 32, 16_384)).toBe(2);
    const x = tf.zeros([2, 8, 8, 3]);
    const m = deviceMoments(x, 32, 'centred');
    expect(m.count).toBe(2 * 4 * 4);
    tf.dispose([x, ...momentTensors(m)]);
  });
});
