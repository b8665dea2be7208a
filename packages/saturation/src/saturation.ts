import { DEFAULT_DELTA } from '@satfarm/contracts';
import { symmetricEigen } from './eigen.ts';
import { InvalidArgumentError } from './errors.ts';

/**
 * How k is read off the spectrum. `textbook`: the smallest k whose leading eigenvalues reach δ of
 * the variance. `delve`: the Python library delve's rule, for comparison with published delve numbers
 * (see {@link kForDelta}); it equals the textbook k, or one less when the last share below δ is
 * within 0.02 of δ.
 */
export type KRule = 'textbook' | 'delve';

export { DEFAULT_DELTA };

/**
 * Relative slack on the textbook threshold: `cum_k ≥ δ·total·(1 − 1e-12)`. Summing the spectrum in a
 * different order moves cum_k and total by a few ulps, so a spectrum that reaches δ exactly (e.g.
 * [1.2, 1, 0.2] at δ = 0.5, where the float64 total is 2.4000000000000004 and 1.2 falls short of
 * half of it) must not flip to k + 1 on round-off. 1e-12 is far above float64 summation error for d ≤ a few thousand and far below any
 * difference of eigenvalue fractions that means something.
 */
const THRESHOLD_RELATIVE_TOLERANCE = 1e-12;

/** delve adds a direction when δ minus the last cumulative share below δ exceeds this (literal 0.02). */
const DELVE_EXTEND_GAP = 0.02;

function checkDelta(delta: number): void {
  if (!(delta > 0 && delta < 1)) {
    throw new InvalidArgumentError(
      'delta',
      delta,
      `a number strictly between 0 and 1 (e.g. ${DEFAULT_DELTA})`,
    );
  }
}

/**
 * Number of leading eigenvalues that carry δ of the variance. `valuesDesc` must be sorted
 * descending; negative entries (round-off of a covariance) count as 0. A zero spectrum gives 0.
 */
export function kForDelta(valuesDesc: ArrayLike<number>, delta: number, rule: KRule = 'textbook'): number {
  checkDelta(delta);
  const n = valuesDesc.length;
  let total = 0;
  let previous = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const raw = valuesDesc[i]!;
    if (!Number.isFinite(raw)) throw new InvalidArgumentError(`valuesDesc[${i}]`, raw, 'a finite number');
    const value = Math.max(0, raw);
    if (value > previous) {
      throw new InvalidArgumentError(`valuesDesc[${i}]`, raw, `a value ≤ the one before it (${previous})`);
    }
    previous = value;
    total += value;
  }
  if (total === 0) return 0;

  let cumulative = 0;
  switch (rule) {
    case 'textbook': {
      const threshold = delta * total * (1 - THRESHOLD_RELATIVE_TOLERANCE);
      for (let i = 0; i < n; i++) {
        cumulative += Math.max(0, valuesDesc[i]!);
        if (cumulative >= threshold) return i + 1;
      }
      return n; // unreachable: cumulative ends at total ≥ threshold
    }
    case 'delve': {
      // Mirrors delve's compute_intrinsic_dimensionality (delve/metrics.py; the same logic in
      // LinearPCALayer._compute_pca_matrix, delve/pca_layers.py): keep the directions whose cumulative
      // share is below δ; none → 1; otherwise one more when δ minus the last share below δ exceeds
      // 0.02. Taken literally in float64 with no tolerance (0.99 − 0.97 = 0.020000000000000018 > 0.02
      // fires), since the point is to reproduce delve's numbers. The shares are non-decreasing, so the
      // ones below δ are a prefix. One deliberate difference: a zero spectrum gives 0 here, where
      // delve's 0/0 shares are NaN and it reports 1.
      let below = 0;
      let lastBelow = 0;
      for (let i = 0; i < n; i++) {
        cumulative += Math.max(0, valuesDesc[i]!);
        const share = cumulative / total;
        if (!(share < delta)) break;
        below++;
        lastBelow = share;
      }
      if (below === 0) return 1;
      // below < n: the last share is total/total = 1, never below δ, so the extra one exists.
      return delta - lastBelow > DELVE_EXTEND_GAP ? below + 1 : below;
    }
    default:
      throw new InvalidArgumentError('kRule', rule, "'textbook' or 'delve'");
  }
}

export interface SaturationOptions {
  delta?: number;
  kRule?: KRule;
}

/** k, width and saturation k/width of a layer. */
export interface SaturationSummary {
  k: number;
  width: number;
  saturation: number;
}

export interface SaturationResult extends SaturationSummary {
  eigenvalues: Float64Array;
  eigenvectors: Float64Array;
}

/**
 * Saturation from an already computed spectrum (descending). Pair with `symmetricEigenvalues` when
 * the eigenvectors are not needed: that skips most of the decomposition's cost.
 */
export function saturationFromEigenvalues(
  valuesDesc: ArrayLike<number>,
  opts: SaturationOptions = {},
): SaturationSummary {
  const width = valuesDesc.length;
  if (width < 1) throw new InvalidArgumentError('valuesDesc.length', width, 'at least 1 eigenvalue');
  const k = kForDelta(valuesDesc, opts.delta ?? DEFAULT_DELTA, opts.kRule ?? 'textbook');
  return { k, width, saturation: k / width };
}

/** Saturation of a layer from its d×d covariance (row-major), keeping the eigenbasis for projection. */
export function saturationOf(
  covariance: ArrayLike<number>,
  d: number,
  opts: SaturationOptions = {},
): SaturationResult {
  // Validate δ before the O(d³) decomposition.
  checkDelta(opts.delta ?? DEFAULT_DELTA);
  const { values, vectors } = symmetricEigen(covariance, d);
  return { ...saturationFromEigenvalues(values, opts), eigenvalues: values, eigenvectors: vectors };
}
