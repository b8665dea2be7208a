import { InvalidArgumentError, ShapeMismatchError } from './errors.ts';

function checkDims(d: number, k: number): void {
  if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError('d', d, 'a positive integer');
  if (!Number.isInteger(k) || k < 0 || k > d)
    throw new InvalidArgumentError('k', k, `an integer in [0, ${d}]`);
}

/**
 * Orthogonal projector `B Bᵀ` (d×d) onto the span of the k orthonormal columns of `basis`, a
 * row-major matrix with `stride` columns (the first k are used).
 */
function projectorOfColumns(basis: ArrayLike<number>, d: number, stride: number, k: number): Float64Array {
  const p = new Float64Array(d * d);
  // Upper triangle, then mirror: P is symmetric by construction, and exactly so.
  for (let i = 0; i < d; i++) {
    const rowI = i * stride;
    for (let j = i; j < d; j++) {
      const rowJ = j * stride;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += basis[rowI + c]! * basis[rowJ + c]!;
      p[i * d + j] = sum;
      p[j * d + i] = sum;
    }
  }
  return p;
}

/**
 * `P = V_k V_kᵀ` (d×d), the projector onto the k leading eigenvectors: the first k columns of the
 * d×d row-major `eigenvectors` (as from `symmetricEigen`, columns ordered by eigenvalue).
 */
export function projectionMatrix(eigenvectors: ArrayLike<number>, d: number, k: number): Float64Array {
  checkDims(d, k);
  if (eigenvectors.length !== d * d) {
    throw new ShapeMismatchError(`eigenvectors (${d}×${d})`, eigenvectors.length, d * d);
  }
  return projectorOfColumns(eigenvectors, d, d, k);
}

/** `B Bᵀ` for a d×k row-major basis with orthonormal columns (e.g. {@link randomOrthonormalBasis}). */
export function basisProjection(basis: ArrayLike<number>, d: number, k: number): Float64Array {
  checkDims(d, k);
  if (basis.length !== d * k) throw new ShapeMismatchError(`basis (${d}×${k})`, basis.length, d * k);
  return projectorOfColumns(basis, d, k, k);
}

/**
 * Restricts samples to an affine subspace through the mean: `x' = μ + P(x − μ)` for each of
 * `rowCount` rows of width d (row-major). Centering first keeps the layer's mean activation, which
 * the next layer relies on, and removes only the variance outside the subspace.
 */
export function projectRows(
  rows: ArrayLike<number>,
  rowCount: number,
  d: number,
  mean: ArrayLike<number>,
  P: ArrayLike<number>,
): Float64Array {
  checkDims(d, 0);
  if (!Number.isInteger(rowCount) || rowCount < 0) {
    throw new InvalidArgumentError('rowCount', rowCount, 'a non-negative integer');
  }
  if (rows.length !== rowCount * d) {
    throw new ShapeMismatchError(`rows (${rowCount} rows × width ${d})`, rows.length, rowCount * d);
  }
  if (mean.length !== d) throw new ShapeMismatchError('mean', mean.length, d);
  if (P.length !== d * d) throw new ShapeMismatchError(`P (${d}×${d})`, P.length, d * d);

  const out = new Float64Array(rowCount * d);
  const centered = new Float64Array(d);
  for (let r = 0; r < rowCount; r++) {
    const base = r * d;
    for (let j = 0; j < d; j++) centered[j] = rows[base + j]! - mean[j]!;
    for (let i = 0; i < d; i++) {
      const rowP = i * d;
      let sum = mean[i]!;
      for (let j = 0; j < d; j++) sum += P[rowP + j]! * centered[j]!;
      out[base + i] = sum;
    }
  }
  return out;
}
