import { describe, expect, it } from 'vitest';
import { batchMoments, CovarianceAccumulator } from './covariance.ts';
import { InvalidArgumentError, ShapeMismatchError } from './errors.ts';
import { mulberry32 } from './random-basis.ts';

/** Rows of correlated data: x = offset + scale · A z with z uniform in [-1, 1). */
function sampleRows(rowCount: number, width: number, seed: number, offset = 0, scale = 1): Float64Array {
  const random = mulberry32(seed);
  const mix = Array.from({ length: width * width }, () => random() - 0.5);
  const rows = new Float64Array(rowCount * width);
  const z = new Float64Array(width);
  for (let r = 0; r < rowCount; r++) {
    for (let i = 0; i < width; i++) z[i] = 2 * random() - 1;
    for (let i = 0; i < width; i++) {
      let sum = 0;
      for (let j = 0; j < width; j++) sum += mix[i * width + j]! * z[j]!;
      rows[r * width + i] = offset + scale * sum;
    }
  }
  return rows;
}

/** Textbook two-pass population covariance, the reference. */
function naiveCovariance(rows: Float64Array, rowCount: number, width: number): Float64Array {
  const mean = new Float64Array(width);
  for (let r = 0; r < rowCount; r++)
    for (let i = 0; i < width; i++) mean[i]! += rows[r * width + i]! / rowCount;
  const cov = new Float64Array(width * width);
  for (let r = 0; r < rowCount; r++) {
    for (let i = 0; i < width; i++) {
      for (let j = 0; j < width; j++) {
        cov[i * width + j]! +=
          ((rows[r * width + i]! - mean[i]!) * (rows[r * width + j]! - mean[j]!)) / rowCount;
      }
    }
  }
  return cov;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('batchMoments', () => {
  it('computes count, mean and centered scatter', () => {
    const m = batchMoments([1, 2, 3, 6], 2, 2);
    expect(m.count).toBe(2);
    expect(Array.from(m.mean)).toEqual([2, 4]);
    // centered rows (-1,-2), (1,2): scatter [[2,4],[4,8]]
    expect(Array.from(m.m2)).toEqual([2, 4, 4, 8]);
  });

  it('accepts zero rows and rejects mismatched lengths', () => {
    expect(batchMoments([], 0, 3).count).toBe(0);
    expect(() => batchMoments([1, 2, 3], 2, 2)).toThrow(ShapeMismatchError);
    expect(() => batchMoments([1, 2], 1, 0)).toThrow(/width/);
    expect(() => batchMoments([1, 2], -1, 2)).toThrow(/rowCount/);
  });
});

describe('CovarianceAccumulator', () => {
  const width = 6;
  const rowCount = 120;
  const rows = sampleRows(rowCount, width, 1);
  const reference = naiveCovariance(rows, rowCount, width);

  it('equals the one-shot covariance for any split into batches', () => {
    const splits = [[120], [1, 119], [60, 60], [7, 13, 0, 50, 1, 49], Array.from({ length: 120 }, () => 1)];
    for (const split of splits) {
      const acc = new CovarianceAccumulator(width);
      let start = 0;
      for (const n of split) {
        acc.addRows(rows.subarray(start * width, (start + n) * width), n);
        start += n;
      }
      expect(acc.count).toBe(rowCount);
      expect(maxAbsDiff(acc.covariance(), reference), `split ${split.length}`).toBeLessThan(1e-9);
    }
  });

  it('gives the same result in any merge order', () => {
    const parts = [0, 30, 75, 120].map((end, i, ends) =>
      rows.subarray((ends[i - 1] ?? 0) * width, end * width),
    );
    const moments = parts.map((part) => batchMoments(part, part.length / width, width));
    const forward = new CovarianceAccumulator(width);
    const backward = new CovarianceAccumulator(width);
    for (const m of moments) forward.merge(m);
    for (const m of [...moments].reverse()) backward.merge(m);
    expect(maxAbsDiff(forward.covariance(), backward.covariance())).toBeLessThan(1e-12);
    expect(maxAbsDiff(forward.mean(), backward.mean())).toBeLessThan(1e-12);
  });

  it('stays accurate with a large mean and a small variance', () => {
    // Mean 1e4, spread 1e-3: a one-pass E[xxᵀ] − μμᵀ would lose every digit here (1e8 vs 1e-6).
    const offsetRows = sampleRows(rowCount, width, 1, 1e4, 1e-3);
    const small = sampleRows(rowCount, width, 1, 0, 1e-3);
    const expected = naiveCovariance(small, rowCount, width);
    const acc = new CovarianceAccumulator(width);
    for (let start = 0; start < rowCount; start += 8) {
      acc.addRows(offsetRows.subarray(start * width, (start + 8) * width), 8);
    }
    const scale = Math.max(...expected.map(Math.abs));
    expect(maxAbsDiff(acc.covariance(), expected) / scale).toBeLessThan(1e-6);
    const smallMean = batchMoments(small, rowCount, width).mean;
    expect(
      maxAbsDiff(
        acc.mean(),
        Array.from(smallMean, (m) => 1e4 + m),
      ),
    ).toBeLessThan(1e-9);
  });

  it('merges float32 device statistics and keeps float64 state', () => {
    const m = batchMoments(rows, rowCount, width);
    const acc = new CovarianceAccumulator(width);
    acc.merge({ count: m.count, mean: Float32Array.from(m.mean), m2: Float32Array.from(m.m2) });
    acc.merge({ count: 0, mean: new Float32Array(width), m2: new Float32Array(width * width) });
    expect(maxAbsDiff(acc.covariance(), reference)).toBeLessThan(1e-5);
  });

  it('round-trips its state through JSON and resets', () => {
    const acc = new CovarianceAccumulator(width);
    acc.addRows(rows, rowCount);
    const restored = CovarianceAccumulator.fromState(JSON.parse(JSON.stringify(acc.toState())));
    expect(restored.count).toBe(rowCount);
    expect(Array.from(restored.covariance())).toEqual(Array.from(acc.covariance()));
    // Continuing after a restore equals never having stopped.
    const more = sampleRows(10, width, 2);
    acc.addRows(more, 10);
    restored.addRows(more, 10);
    expect(Array.from(restored.covariance())).toEqual(Array.from(acc.covariance()));
    acc.reset();
    expect(acc.count).toBe(0);
    expect(() => acc.covariance()).toThrow(InvalidArgumentError);
  });

  it('rejects batches and states of the wrong size', () => {
    const acc = new CovarianceAccumulator(3);
    expect(() => acc.merge({ count: 1, mean: [0, 0], m2: new Float64Array(9) })).toThrow(/batch\.mean/);
    expect(() => acc.merge({ count: 1, mean: [0, 0, 0], m2: new Float64Array(4) })).toThrow(/batch\.m2/);
    expect(() => acc.merge({ count: 1.5, mean: [0, 0, 0], m2: new Float64Array(9) })).toThrow(/batch\.count/);
    expect(() => acc.addRows([1, 2, 3, 4], 1)).toThrow(ShapeMismatchError);
    expect(() => new CovarianceAccumulator(0)).toThrow(/width/);
    const state = acc.toState();
    expect(() => CovarianceAccumulator.fromState({ ...state, m2: [1] })).toThrow(/state\.m2/);
    expect(() =>
      CovarianceAccumulator.fromState({ ...state, mean: [0, null as unknown as number, 0] }),
    ).toThrow(/state\.mean\[1\]/);
  });

  it('merges a 512-wide batch quickly', () => {
    const d = 512;
    const acc = new CovarianceAccumulator(d);
    const batch = { count: 100, mean: new Float32Array(d).fill(0.5), m2: new Float32Array(d * d).fill(0.25) };
    acc.merge(batch);
    const start = performance.now();
    for (let i = 0; i < 20; i++) acc.merge(batch);
    const perMerge = (performance.now() - start) / 20;
    // ~1 ms here; the bound only catches an accidental per-entry allocation or quadratic blow-up.
    expect(perMerge).toBeLessThan(50);
  });
});
