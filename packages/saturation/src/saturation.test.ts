import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.ts';
import { kForDelta, saturationFromEigenvalues, saturationOf } from './saturation.ts';

describe('kForDelta', () => {
  it('textbook: smallest k whose leading sum reaches δ of the total', () => {
    const values = [50, 30, 10, 5, 3, 2]; // cumulative fractions .5 .8 .9 .95 .98 1
    expect(kForDelta(values, 0.5)).toBe(1);
    expect(kForDelta(values, 0.51)).toBe(2);
    expect(kForDelta(values, 0.9)).toBe(3);
    expect(kForDelta(values, 0.96)).toBe(5);
    expect(kForDelta(values, 0.99)).toBe(6);
  });

  it('delve: max(1, #{i : cum_i/total < δ})', () => {
    const values = [50, 30, 10, 5, 3, 2];
    expect(kForDelta(values, 0.5, 'delve')).toBe(1); // none below .5 → max(1, 0)
    expect(kForDelta(values, 0.51, 'delve')).toBe(1);
    expect(kForDelta(values, 0.9, 'delve')).toBe(2);
    expect(kForDelta(values, 0.96, 'delve')).toBe(4);
    expect(kForDelta(values, 0.99, 'delve')).toBe(5);
  });

  it('counts δ exactly at a boundary as reached, despite round-off', () => {
    // 1.2 is exactly half of 1.2 + 1 + 0.2, but in float64 the sum is 2.4000000000000004, so a
    // strict comparison would ask for a second eigenvalue.
    expect(1.2 < 0.5 * (1.2 + 1 + 0.2)).toBe(true);
    expect(kForDelta([1.2, 1, 0.2], 0.5)).toBe(1);
    expect(1.7 + 1.4 + 0.5 < 0.8 * (1.7 + 1.4 + 0.5 + 0.4 + 0.3 + 0.2)).toBe(true);
    expect(kForDelta([1.7, 1.4, 0.5, 0.4, 0.3, 0.2], 0.8)).toBe(3);
    expect(kForDelta([3, 1], 0.75)).toBe(1);
    expect(kForDelta([3, 1], 0.75, 'delve')).toBe(1);
    expect(kForDelta([1, 1, 1, 1], 0.5)).toBe(2);
    expect(kForDelta([1, 1, 1, 1], 0.5, 'delve')).toBe(1);
    // Just past the boundary needs one more.
    expect(kForDelta([1, 1, 1, 1], 0.5 + 1e-9)).toBe(3);
  });

  it('handles ties, one dominant direction, zero tails and the zero spectrum', () => {
    expect(kForDelta([2, 2, 2, 2, 2], 0.99)).toBe(5);
    expect(kForDelta([2, 2, 2, 2, 2], 0.99, 'delve')).toBe(4);
    expect(kForDelta([7, 0, 0, 0], 0.99)).toBe(1);
    expect(kForDelta([7, 0, 0, 0], 0.99, 'delve')).toBe(1);
    expect(kForDelta([5, 5, 0, 0], 0.99)).toBe(2);
    expect(kForDelta([0, 0, 0], 0.99)).toBe(0);
    expect(kForDelta([0, 0, 0], 0.99, 'delve')).toBe(0);
    expect(kForDelta([], 0.99)).toBe(0);
    // Round-off negatives count as zero.
    expect(kForDelta([1, 0, -1e-18], 0.99)).toBe(1);
  });

  it('rejects a bad δ, an unsorted spectrum, non-finite values and an unknown rule', () => {
    for (const delta of [0, 1, -0.5, 1.5, Number.NaN]) {
      expect(() => kForDelta([1], delta)).toThrow(InvalidArgumentError);
    }
    expect(() => kForDelta([1, 2], 0.9)).toThrow(/valuesDesc\[1\]/);
    expect(() => kForDelta([1, Number.NaN], 0.9)).toThrow(/finite/);
    expect(() => kForDelta([1], 0.9, 'median' as 'delve')).toThrow(/kRule/);
  });
});

describe('saturationOf', () => {
  it('reads k and k/d off a covariance', () => {
    // Diagonal covariance: eigenvalues are the diagonal.
    const cov = [4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const result = saturationOf(cov, 4);
    expect(result).toMatchObject({ k: 2, width: 4, saturation: 0.5 });
    expect(Array.from(result.eigenvalues)).toEqual([4, 1, 0, 0]);
    expect(result.eigenvectors).toHaveLength(16);
    expect(saturationOf(cov, 4, { delta: 0.8 }).k).toBe(1);
    expect(saturationOf(cov, 4, { kRule: 'delve' }).k).toBe(1);
    expect(saturationOf(new Float64Array(9), 3)).toMatchObject({ k: 0, saturation: 0 });
  });

  it('validates δ before decomposing', () => {
    expect(() => saturationOf([1], 1, { delta: 1 })).toThrow(/delta/);
    expect(() => saturationFromEigenvalues([], {})).toThrow(/at least 1/);
    expect(saturationFromEigenvalues([3, 1], { delta: 0.9 })).toEqual({ k: 2, width: 2, saturation: 1 });
  });
});
