import { describe, expect, it } from 'vitest';
import { averageRanks, spearman } from './spearman.ts';

describe('averageRanks', () => {
  it('ranks ascending and gives tied values the mean of their ranks', () => {
    expect(averageRanks([3, 1, 2])).toEqual([3, 1, 2]);
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(averageRanks([5, 5, 5])).toEqual([2, 2, 2]);
    expect(averageRanks([])).toEqual([]);
  });
});

describe('spearman', () => {
  it('is 1 for the same order and −1 for the reverse, whatever the scale', () => {
    expect(spearman([1, 2, 3], [10, 200, 3000])).toBe(1);
    expect(spearman([1, 2, 3], [0.9, 0.5, 0.1])).toBe(-1);
  });

  it('matches 1 − 6Σd²/(n(n²−1)) without ties', () => {
    // ranks equal the values; d = [−1, 1, −1, 1, 0], Σd² = 4 → 1 − 24/120 = 0.8
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
  });

  it('handles ties as Pearson of average ranks, not with the d² shortcut', () => {
    // ranks x = [1, 2.5, 2.5, 4], y = [1, 2, 3, 4]: Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → 4.5/√22.5 = 3/√10.
    // The d² shortcut would say 1 − 6·0.5/60 = 0.95.
    const rho = spearman([1, 2, 2, 3], [1, 2, 3, 4]);
    expect(rho).toBeCloseTo(3 / Math.sqrt(10), 12);
    expect(rho).not.toBeCloseTo(0.95, 3);
    // Ties on both sides: x ranks [1.5, 1.5, 3], y ranks [1, 2.5, 2.5]: Σdxdy = 0.75, Σdx² = Σdy² = 1.5 → 0.5
    expect(spearman([1, 1, 2], [1, 2, 2])).toBeCloseTo(0.5, 12);
  });

  it('is 0, never NaN, when either side is constant or there is less than a pair', () => {
    expect(spearman([1, 2, 3], [7, 7, 7])).toBe(0);
    expect(spearman([4, 4], [1, 2])).toBe(0);
    expect(spearman([1], [2])).toBe(0);
    expect(spearman([], [])).toBe(0);
  });

  it('refuses lists of different lengths and values that are not finite', () => {
    expect(() => spearman([1, 2], [1])).toThrow(/as many values as xs \(2\)/);
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow(/xs/);
    expect(() => spearman([1, 2], [1, Number.POSITIVE_INFINITY])).toThrow(/ys/);
  });
});
