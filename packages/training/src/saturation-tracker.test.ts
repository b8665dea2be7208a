import * as tf from '@tensorflow/tfjs';
import { CovarianceAccumulator, saturationOf } from '@satfarm/saturation';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
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
    const b1 = batch(0, 1); // shifted form; centred data → next batch uses the fast raw form
    const b2 = batch(0, 2); // raw form, well conditioned: merged
    const b3 = batch(3000, 3); // raw form, mean ≫ spread: must be left out, back to shifted
    const b4 = batch(3000, 4); // shifted form: merged precisely despite the mean
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

  // The issue this guards: with a float32 batch mean, a layer with mean 10⁴ and std 10⁻² (d = 32)
  // read out k = 1 where float64 gives 21. Data: 65,536 rows per batch (64 maps of 32×32) of 32
  // channels with covariance eigenvalues ∝ 0.8^i in a random basis, plus a large mean.
  it.each([
    [1e4, 1],
    [1e4, 1e-2],
  ])('reads out float64 k for a layer with mean %d and spread %d', async (mean, spread) => {
    const d = 32;
    const tracker = new SaturationTracker([d], 0);
    const reference = new CovarianceAccumulator(d);
    const basis = randomBasis(d, 7);
    for (const seed of [1, 2]) {
      const rows = correlatedRows(65_536, basis, mean, spread, seed);
      const x = tf.tensor4d(rows, [64, 32, 32, d]);
      await feed(tracker, x);
      x.dispose();
      reference.addRows(rows, 65_536);
    }
    expect(tracker.dropped).toBe(0);
    const want = reference.covariance();
    const got = tracker.statistics('train', 0).covariance;
    const scale = Math.max(...want.map(Math.abs));
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
    expect(worst).toBeLessThan(1e-4);
    const { k } = saturationOf(want, d, { delta: 0.99 });
    // 0.8^i: 21 directions carry 99 %. At spread 10⁻² the float32 rounding of values near 10⁴ (steps
    // of 2⁻¹⁰) is itself noise of about 8·10⁻⁴ of the top variance per channel: the data's k is 22.
    expect(k).toBe(spread === 1 ? 21 : 22);
    expect(tracker.readout('train', 0.99, 'textbook')).toEqual([{ k, saturation: k / d }]);
  });
});

/** xorshift32 normals (Box–Muller): a seeded stream is all these tests need. */
function normals(seed: number): () => number {
  let state = Math.imul(seed, 0x9e3779b9) >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A random orthonormal basis of R^width (Gram–Schmidt), row-major: row i is basis vector i. */
function randomBasis(width: number, seed: number): Float64Array {
  const normal = normals(seed);
  const basis = new Float64Array(width * width);
  for (let i = 0; i < width; i++) {
    const v = Array.from({ length: width }, normal);
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let c = 0; c < width; c++) dot += v[c]! * basis[j * width + c]!;
      for (let c = 0; c < width; c++) v[c]! -= dot * basis[j * width + c]!;
    }
    const norm = Math.hypot(...v);
    for (let c = 0; c < width; c++) basis[i * width + c] = v[c]! / norm;
  }
  return basis;
}

/**
 * `count` float32 rows with mean `mean` in every channel and covariance spread²·Q diag(0.8^i) Qᵀ
 * (Q: the rows of `basis`), generated in float64 from the seeded stream `seed`.
 */
function correlatedRows(
  count: number,
  basis: Float64Array,
  mean: number,
  spread: number,
  seed: number,
): Float32Array {
  const width = Math.round(Math.sqrt(basis.length));
  const normal = normals(seed);
  const scales = Array.from({ length: width }, (_, i) => spread * Math.sqrt(0.8 ** i));
  const rows = new Float32Array(count * width);
  const row = new Float64Array(width);
  for (let r = 0; r < count; r++) {
    row.fill(0);
    for (let i = 0; i < width; i++) {
      const z = normal() * scales[i]!;
      for (let c = 0; c < width; c++) row[c]! += z * basis[i * width + c]!;
    }
    for (let c = 0; c < width; c++) rows[r * width + c] = mean + row[c]!;
  }
  return rows;
}
