import { InvalidSearchInputError } from './errors.ts';

export { DEFAULT_TOLERANCE } from '@satfarm/contracts';

export interface ResolutionAccuracy {
  resolution: number;
  /** Mean test accuracy over the resolution's seeds. */
  meanAccuracy: number;
  seeds: number;
}

export interface GridChoice {
  /** The highest mean accuracy (the smaller resolution on a tie). */
  best: ResolutionAccuracy;
  /** The smallest resolution whose mean is within `tolerance` of the best: the recommendation. */
  recommended: ResolutionAccuracy;
}

/**
 * The grid's recommendation, the same rule as SQL's `recommend_resolution` (migration 0003) and
 * `recommendResolution` in @satfarm/scheduler: the best mean test accuracy over seeds, then the
 * smallest resolution whose mean is at least best − tolerance.
 */
export function gridChoice(resolutions: readonly ResolutionAccuracy[], tolerance: number): GridChoice {
  checkTolerance(tolerance);
  const sorted = [...resolutions].sort((a, b) => a.resolution - b.resolution);
  const first = sorted[0];
  if (first === undefined) throw new InvalidSearchInputError('resolutions', '[]', 'at least one resolution');
  const best = sorted.reduce((b, r) => (r.meanAccuracy > b.meanAccuracy ? r : b), first);
  const recommended = sorted.find((r) => r.meanAccuracy >= best.meanAccuracy - tolerance) ?? best;
  return { best, recommended };
}

export function checkTolerance(tolerance: number): void {
  if (!(tolerance >= 0 && tolerance <= 1)) {
    throw new InvalidSearchInputError(
      'tolerance',
      tolerance,
      'accuracy units in [0, 1] (0.005 = half a point)',
    );
  }
}

/** Mean of `value` per resolution over the given items (one per seed), in ascending resolution. */
export function meanByResolution<T extends { resolution: number }>(
  items: readonly T[],
  value: (item: T) => number,
): { resolution: number; mean: number; count: number }[] {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const item of items) {
    const s = sums.get(item.resolution) ?? { sum: 0, count: 0 };
    s.sum += value(item);
    s.count += 1;
    sums.set(item.resolution, s);
  }
  return [...sums]
    .sort(([a], [b]) => a - b)
    .map(([resolution, { sum, count }]) => ({ resolution, mean: sum / count, count }));
}

/** Mean test accuracy per resolution of the given snapshots (one per trial). */
export function meanAccuracies(
  snapshots: readonly { resolution: number; testAccuracy: number }[],
): ResolutionAccuracy[] {
  return meanByResolution(snapshots, (s) => s.testAccuracy).map((r) => ({
    resolution: r.resolution,
    meanAccuracy: r.mean,
    seeds: r.count,
  }));
}
