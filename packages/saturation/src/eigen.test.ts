import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { symmetricEigen, symmetricEigenvalues } from './eigen.ts';
import { InvalidArgumentError, ShapeMismatchError } from './errors.ts';
import { mulberry32, randomOrthonormalBasis } from './random-basis.ts';

/** Q diag(λ) Qᵀ for a random orthonormal Q. */
function withSpectrum(lambda: number[], seed: number): Float64Array {
  const d = lambda.length;
  const q = randomOrthonormalBasis(d, d, mulberry32(seed));
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += q[i * d + c]! * lambda[c]! * q[j * d + c]!;
      a[i * d + j] = sum;
    }
  }
  return a;
}

function expectEigenpairs(
  a: Float64Array,
  d: number,
  values: Float64Array,
  vectors: Float64Array,
  tol: number,
) {
  for (let c = 0; c < d; c++) {
    let norm = 0;
    for (let i = 0; i < d; i++) {
      let av = 0;
      for (let j = 0; j < d; j++) av += a[i * d + j]! * vectors[j * d + c]!;
      expect(Math.abs(av - values[c]! * vectors[i * d + c]!), `A·v = λ·v, pair ${c} row ${i}`).toBeLessThan(
        tol,
      );
      norm += vectors[i * d + c]! ** 2;
    }
    expect(norm).toBeCloseTo(1, 12);
  }
}

describe('symmetricEigen', () => {
  it('recovers a known spectrum, sorted descending, with A·v = λ·v', () => {
    const lambda = [0.5, 9, 3, 3, 1e-3, 0, 2, 7.25];
    const d = lambda.length;
    const a = withSpectrum(lambda, 11);
    const { values, vectors } = symmetricEigen(a, d);
    const expected = [...lambda].sort((x, y) => y - x);
    for (let i = 0; i < d; i++) expect(values[i]).toBeCloseTo(expected[i]!, 12);
    expectEigenpairs(a, d, values, vectors, 1e-12);
    // Eigenvectors are mutually orthogonal, even within the repeated eigenvalue 3.
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += vectors[i * d + p]! * vectors[i * d + q]!;
        expect(Math.abs(dot)).toBeLessThan(1e-12);
      }
    }
  });

  it('clips negative eigenvalues to 0', () => {
    const { values } = symmetricEigen(withSpectrum([4, -1e-9, -2, 1], 3), 4);
    expect(Array.from(values, (v) => Number(v.toFixed(9)))).toEqual([4, 1, 0, 0]);
  });

  it('agrees with ml-matrix on a random covariance, and the values-only path agrees with both', () => {
    const d = 40;
    const random = mulberry32(5);
    const x = Array.from({ length: 3 * d * d }, () => random() - 0.5);
    const a = new Float64Array(d * d);
    for (let r = 0; r < 3 * d; r++) {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[i * d + j]! += x[r * d + i]! * x[r * d + j]!;
    }
    const rows = Array.from({ length: d }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d)));
    const reference = new EigenvalueDecomposition(new Matrix(rows), {
      assumeSymmetric: true,
    }).realEigenvalues.sort((p, q) => q - p);
    const { values, vectors } = symmetricEigen(a, d);
    const valuesOnly = symmetricEigenvalues(a, d);
    for (let i = 0; i < d; i++) {
      expect(values[i]).toBeCloseTo(reference[i]!, 10);
      expect(valuesOnly[i]).toBeCloseTo(reference[i]!, 10);
    }
    expectEigenpairs(a, d, values, vectors, 1e-10);
  });

  it('symmetrises a slightly asymmetric input and handles d = 1 and the zero matrix', () => {
    const a = Float64Array.from([2, 1 + 1e-7, 1 - 1e-7, 2]);
    const asym = symmetricEigen(a, 2).values;
    expect(asym[0]).toBeCloseTo(3, 14);
    expect(asym[1]).toBeCloseTo(1, 14);
    expect(Array.from(symmetricEigen([5], 1).values)).toEqual([5]);
    expect(Array.from(symmetricEigen([5], 1).vectors)).toEqual([1]);
    const zero = symmetricEigen(new Float64Array(9), 3);
    expect(Array.from(zero.values)).toEqual([0, 0, 0]);
    expectEigenpairs(new Float64Array(9), 3, zero.values, zero.vectors, 1e-15);
    expect(Array.from(symmetricEigenvalues(new Float64Array(4), 2))).toEqual([0, 0]);
  });

  it('rejects bad sizes and non-finite entries', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(ShapeMismatchError);
    expect(() => symmetricEigen([], 0)).toThrow(/Invalid d/);
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow(InvalidArgumentError);
    expect(() => symmetricEigenvalues([1, 0, 0, Number.POSITIVE_INFINITY], 2)).toThrow(/matrix\[1\]\[1\]/);
  });
});
