import type { BatchMoments } from '@satfarm/saturation';

/**
 * Turns device moments around a shift K (column sums s = Σ(x − K), Gram matrix G = Σ(x − K)(x − K)ᵀ;
 * K = 0 for the raw form) into a batch mean and centred scatter in float64: μ = K + s/n and
 * M2 = G − s sᵀ/n. Also returns how ill-conditioned that subtraction was: the largest
 * n·(μ_i − K_i)² / M2_ii over channels (the relative float32 error of M2_ii grows with it).
 */
export function toCentred(
  count: number,
  shift: ArrayLike<number> | undefined,
  sum: ArrayLike<number>,
  gram: ArrayLike<number>,
  width: number,
): { moments: BatchMoments; meanToSpread: number } {
  // Offsets of the mean from the shift; the host adds the shift back in float64.
  const offset = new Float64Array(width);
  for (let i = 0; i < width; i++) offset[i] = sum[i]! / count;
  const m2 = new Float64Array(width * width);
  let meanToSpread = 0;
  for (let i = 0; i < width; i++) {
    const si = sum[i]!;
    const row = i * width;
    for (let j = 0; j < width; j++) m2[row + j] = gram[row + j]! - si * offset[j]!;
    const diagonal = m2[row + i]!;
    const offsetPart = si * offset[i]!;
    // A channel with (numerically) no spread but an offset: its variance is pure cancellation error.
    const ratio = diagonal > 0 ? offsetPart / diagonal : offsetPart > 0 ? Number.POSITIVE_INFINITY : 0;
    if (ratio > meanToSpread) meanToSpread = ratio;
  }
  const mean = offset;
  if (shift) for (let i = 0; i < width; i++) mean[i]! += shift[i]!;
  return { moments: { count, mean, m2 }, meanToSpread };
}
