import type { BatchMoments } from '@satfarm/saturation';

/**
 * Turns raw device moments (column sums, Gram matrix XᵀX) into a batch mean and centred scatter in
 * float64: M2 = XᵀX − n·μμᵀ. Also returns how ill-conditioned that subtraction was: the largest
 * n·μ_i² / M2_ii over channels (the relative float32 error of M2_ii grows with it).
 */
export function rawToCentred(
  count: number,
  sum: ArrayLike<number>,
  gram: ArrayLike<number>,
  width: number,
): { moments: BatchMoments; meanToSpread: number } {
  const mean = new Float64Array(width);
  for (let i = 0; i < width; i++) mean[i] = sum[i]! / count;
  const m2 = new Float64Array(width * width);
  let meanToSpread = 0;
  for (let i = 0; i < width; i++) {
    const mi = mean[i]! * count;
    const row = i * width;
    for (let j = 0; j < width; j++) m2[row + j] = gram[row + j]! - mi * mean[j]!;
    const diagonal = m2[row + i]!;
    const meanPart = mi * mean[i]!;
    // A channel with (numerically) no spread but a mean: its variance is pure cancellation error.
    const ratio = diagonal > 0 ? meanPart / diagonal : meanPart > 0 ? Number.POSITIVE_INFINITY : 0;
    if (ratio > meanToSpread) meanToSpread = ratio;
  }
  return { moments: { count, mean, m2 }, meanToSpread };
}
