import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './eigen.ts';
import { ShapeMismatchError } from './errors.ts';
import { basisProjection, projectionMatrix, projectRows } from './projection.ts';
import { controlSeed, mulberry32, randomOrthonormalBasis } from './random-basis.ts';

function multiply(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += a[i * d + c]! * b[c * d + j]!;
      out[i * d + j] = sum;
    }
  }
  return out;
}

function expectProjector(p: Float64Array, d: number, rank: number): void {
  const pp = multiply(p, p, d);
  let trace = 0;
  for (let i = 0; i < d; i++) {
    trace += p[i * d + i]!;
    for (let j = 0; j < d; j++) {
      expect(pp[i * d + j]! - p[i * d + j]!, 'P² = P').toBeCloseTo(0, 12);
      expect(p[i * d + j]).toBe(p[j * d + i]); // exactly symmetric
    }
  }
  expect(trace).toBeCloseTo(rank, 12);
}

/** A random symmetric positive semi-definite matrix. */
function randomCovariance(d: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const x = Array.from({ length: d * d }, () => random() - 0.5);
  const a = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[i * d + j]! += x[r * d + i]! * x[r * d + j]!;
  }
  return a;
}

describe('projectionMatrix', () => {
  const d = 7;
  const { vectors } = symmetricEigen(randomCovariance(d, 2), d);

  it('is an idempotent, symmetric projector of rank k', () => {
    for (const k of [0, 1, 3, d]) expectProjector(projectionMatrix(vectors, d, k), d, k);
  });

  it('is the identity for k = d and rejects k out of range', () => {
    const identity = projectionMatrix(vectors, d, d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) expect(identity[i * d + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    expect(() => projectionMatrix(vectors, d, d + 1)).toThrow(/Invalid k/);
    expect(() => projectionMatrix(vectors, d, -1)).toThrow(/Invalid k/);
    expect(() => projectionMatrix(vectors.subarray(1), d, 2)).toThrow(ShapeMismatchError);
  });
});

describe('projectRows', () => {
  it('keeps the mean and the leading directions, drops the rest', () => {
    // Axis-aligned: P keeps axis 0 only.
    const p = projectionMatrix([1, 0, 0, 1], 2, 1);
    const out = projectRows([3, 5, -1, 9], 2, 2, [1, 2], p);
    expect(Array.from(out)).toEqual([3, 2, -1, 2]);
  });

  it('is the identity for P = I and idempotent in general', () => {
    const d = 5;
    const random = mulberry32(9);
    const rows = Float64Array.from({ length: 4 * d }, () => random());
    const mean = Float64Array.from({ length: d }, () => random());
    const { vectors } = symmetricEigen(randomCovariance(d, 4), d);
    const full = projectRows(rows, 4, d, mean, projectionMatrix(vectors, d, d));
    for (let i = 0; i < full.length; i++) expect(full[i]).toBeCloseTo(rows[i]!, 12);
    const p = projectionMatrix(vectors, d, 2);
    const once = projectRows(rows, 4, d, mean, p);
    const twice = projectRows(once, 4, d, mean, p);
    for (let i = 0; i < twice.length; i++) expect(twice[i]).toBeCloseTo(once[i]!, 12);
  });

  it('rejects mismatched shapes', () => {
    const p = new Float64Array(4);
    expect(() => projectRows([1, 2, 3], 2, 2, [0, 0], p)).toThrow(/rows/);
    expect(() => projectRows([1, 2], 1, 2, [0], p)).toThrow(/mean/);
    expect(() => projectRows([1, 2], 1, 2, [0, 0], [1])).toThrow(/P/);
  });
});

describe('randomOrthonormalBasis and basisProjection', () => {
  it('has orthonormal columns, reproducibly from a seed', () => {
    for (const [d, k] of [
      [10, 3],
      [16, 16],
      [1, 1],
      [4, 0],
    ] as const) {
      const basis = randomOrthonormalBasis(d, k, mulberry32(42));
      expect(basis).toHaveLength(d * k);
      for (let p = 0; p < k; p++) {
        for (let q = p; q < k; q++) {
          let dot = 0;
          for (let i = 0; i < d; i++) dot += basis[i * k + p]! * basis[i * k + q]!;
          expect(dot).toBeCloseTo(p === q ? 1 : 0, 12);
        }
      }
      expect(Array.from(randomOrthonormalBasis(d, k, mulberry32(42)))).toEqual(Array.from(basis));
    }
    expect(Array.from(randomOrthonormalBasis(6, 2, mulberry32(1)))).not.toEqual(
      Array.from(randomOrthonormalBasis(6, 2, mulberry32(2))),
    );
  });

  it('projects onto the basis span', () => {
    const d = 9;
    const k = 4;
    const p = basisProjection(randomOrthonormalBasis(d, k, mulberry32(3)), d, k);
    expectProjector(p, d, k);
    expect(() => basisProjection(new Float64Array(5), d, k)).toThrow(ShapeMismatchError);
    expect(() => randomOrthonormalBasis(3, 4, Math.random)).toThrow(/Invalid k/);
  });

  it('fails clearly on a degenerate generator', () => {
    expect(() => randomOrthonormalBasis(3, 2, () => 0.5)).toThrow(/random/);
  });
});

describe('mulberry32', () => {
  it('is deterministic, in [0, 1) and roughly uniform', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
    expect(() => mulberry32(Number.NaN)).toThrow(/seed/);
  });
});

describe('controlSeed', () => {
  it('is a function of trial seed, layer and draw, different for each', () => {
    expect(controlSeed(5, 2, 0)).toBe(controlSeed(5, 2, 0));
    const seeds = new Set<number>();
    for (const trial of [0, 1, 5]) {
      for (let layer = 0; layer < 20; layer++)
        for (let draw = 0; draw < 10; draw++) seeds.add(controlSeed(trial, layer, draw));
    }
    expect(seeds.size).toBe(3 * 20 * 10);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });

  it('names a bad part', () => {
    expect(() => controlSeed(-1, 0, 0)).toThrow(/Invalid trialSeed '-1'/);
    expect(() => controlSeed(0, 1.5, 0)).toThrow(/Invalid layerIndex '1.5'/);
    expect(() => controlSeed(0, 0, Number.NaN)).toThrow(/Invalid draw 'NaN'/);
  });
});
