import * as tf from '@tensorflow/tfjs';
import { CovarianceAccumulator, saturationOf } from '@satfarm/saturation';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backends/index.ts';
import { readBatch } from './batch-readback.ts';
import { type Mode, SaturationTracker } from './saturation-tracker.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const width = 4;
const batch = (mean: number, seed: number) => tf.randomNormal([64, 3, 3, width], mean, 1, 'float32', seed);

/** Reads one batch's moments back and merges them, as the training loop does. */
async function absorb(tracker: SaturationTracker, mode: Mode, x: tf.Tensor): Promise<number> {
  return tracker.merge(mode, (await readBatch([], tracker.momentsOf([x]))).moments);
}

async function feed(tracker: SaturationTracker, x: tf.Tensor): Promise<void> {
  expect(await absorb(tracker, 'train', x)).toBe(-1);
}

describe('SaturationTracker', () => {
  it('switches between the fast and exact forms without ever merging an imprecise batch', async () => {
    const tracker = new SaturationTracker([width], 0);
    const reference = new CovarianceAccumulator(width);
    const b1 = batch(0, 1); // exact form; centred data → next batch uses the fast raw form
    const b2 = batch(0, 2); // raw form, well conditioned: merged
    const b3 = batch(3000, 3); // raw form, mean ≫ spread: must be left out, back to exact
    const b4 = batch(3000, 4); // exact form: merged precisely despite the mean
    for (const [x, keep] of [
      [b1, true],
      [b2, true],
      [b3, false],
      [b4, true],
    ] as const) {
      await feed(tracker, x);
      if (keep) reference.addRows(await x.data(), 64 * 9);
    }
    expect(tracker.dropped).toBe(1);
    const got = tracker.statistics('train', 0);
    const want = reference.covariance();
    const scale = Math.max(...want.map(Math.abs));
    for (let i = 0; i < want.length; i++)
      expect(Math.abs(got.covariance[i]! - want[i]!) / scale).toBeLessThan(1e-6);
    const { k } = saturationOf(want, width, { delta: 0.99 });
    expect(tracker.readout('train', 0.99, 'textbook')).toEqual([{ k, saturation: k / width }]);
    tf.dispose([b1, b2, b3, b4]);
  });

  it('reports a layer whose activations overflowed instead of merging it', async () => {
    const tracker = new SaturationTracker([2], 0);
    const x = tf.tensor2d([
      [1, Number.POSITIVE_INFINITY],
      [2, 3],
    ]);
    expect(await absorb(tracker, 'eval', x)).toBe(0);
    expect(tracker.readout('eval', 0.99, 'textbook')).toEqual([{ k: 0, saturation: 0 }]);
    x.dispose();
  });
});
