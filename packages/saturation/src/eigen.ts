import { InvalidArgumentError, ShapeMismatchError } from './errors.ts';
import { tql2, tred2 } from './tridiagonal-ql.ts';

/**
 * Eigen-decomposition of a symmetric matrix: `values` descending with negatives clipped to 0,
 * `vectors` d×d row-major where column i (entries `vectors[r·d + i]`) is the unit eigenvector of
 * `values[i]`.
 */
export interface Eigen {
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * Copies `matrix` (d×d row-major) symmetrised as (A + Aᵀ)/2: a covariance merged from float32 batch
 * statistics can be asymmetric by round-off, and the solver reads one triangle only. Being
 * symmetric, the copy is also its own transpose, the layout the solver works in.
 */
function symmetrisedCopy(matrix: ArrayLike<number>, d: number): Float64Array {
  if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError('d', d, 'a positive integer');
  if (matrix.length !== d * d) throw new ShapeMismatchError(`matrix (${d}×${d})`, matrix.length, d * d);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const value = 0.5 * (matrix[i * d + j]! + matrix[j * d + i]!);
      if (!Number.isFinite(value)) {
        throw new InvalidArgumentError(`matrix[${i}][${j}]`, matrix[i * d + j], 'a finite number');
      }
      out[i * d + j] = value;
    }
  }
  return out;
}

function descendingOrder(values: Float64Array): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b]! - values[a]!);
}

/**
 * Householder tridiagonalisation and implicit QL of a symmetrised copy of `matrix`: the eigenvalues in
 * `diag` (unsorted) and, with `vectors`, the transposed eigenvectors in `work` (row i = eigenvector i).
 */
function tridiagonalQl(
  matrix: ArrayLike<number>,
  d: number,
  vectors: boolean,
): { diag: Float64Array; work: Float64Array } {
  const work = symmetrisedCopy(matrix, d);
  const diag = new Float64Array(d);
  const off = new Float64Array(d);
  tred2(d, off, diag, work, vectors);
  tql2(d, off, diag, vectors ? work : null);
  return { diag, work };
}

/**
 * Symmetric eigendecomposition in float64 (Householder tridiagonalisation + implicit QL, see
 * tridiagonal-ql.ts). Not ml-matrix's `EigenvalueDecomposition` itself: the same algorithm on one
 * flat Float64Array instead of per-element `Matrix.get/set` is ~3× faster (512×512: ~0.55 s vs
 * ~1.6 s on one core here). Negative eigenvalues of a covariance are round-off, so they are
 * clipped to 0.
 */
export function symmetricEigen(matrix: ArrayLike<number>, d: number): Eigen {
  const { diag, work: vt } = tridiagonalQl(matrix, d, true);

  const order = descendingOrder(diag);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  for (let out = 0; out < d; out++) {
    const src = order[out]!;
    values[out] = Math.max(0, diag[src]!);
    // Row `src` of the transposed transform is eigenvector `src`; write it as column `out`.
    const srcOffset = src * d;
    for (let r = 0; r < d; r++) vectors[r * d + out] = vt[srcOffset + r]!;
  }
  return { values, vectors };
}

/**
 * Eigenvalues only (descending, clipped at 0) — all that k and saturation need. Skips forming the
 * eigenvectors, which is most of the cost of {@link symmetricEigen}.
 */
export function symmetricEigenvalues(matrix: ArrayLike<number>, d: number): Float64Array {
  const { diag } = tridiagonalQl(matrix, d, false);
  const values = new Float64Array(d);
  descendingOrder(diag).forEach((src, out) => {
    values[out] = Math.max(0, diag[src]!);
  });
  return values;
}
