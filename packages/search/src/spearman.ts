import { InvalidSearchInputError } from './errors.ts';

/**
 * Ranks 1..n in ascending order of value; tied values share the mean of the ranks they span
 * ([10, 20, 20, 30] → [1, 2.5, 2.5, 4]).
 */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length).fill(0);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i]!.index] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation: Pearson's correlation of the average ranks (so ties are handled the
 * textbook way, not by the d² shortcut that is only exact without ties). In [−1, 1] and never NaN:
 * when either side is constant (or has fewer than two values) nothing is ranked, and the answer is 0,
 * "no agreement either way".
 */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) {
    throw new InvalidSearchInputError('ys', `${ys.length} values`, `as many values as xs (${xs.length})`);
  }
  for (const [name, values] of [
    ['xs', xs],
    ['ys', ys],
  ] as const) {
    const bad = values.find((v) => !Number.isFinite(v));
    if (bad !== undefined) throw new InvalidSearchInputError(name, bad, 'finite numbers');
  }
  const rx = averageRanks(xs);
  const ry = averageRanks(ys);
  const mean = (xs.length + 1) / 2; // the mean of average ranks is always (n + 1) / 2
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}
