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

  // delve's compute_intrinsic_dimensionality: b = #{i : cum_i < δ}; b = 0 → 1; else b + 1 when
  // δ − cum_b > 0.02, b otherwise. Expected values worked by hand and checked against a numpy copy of
  // delve's selection lines.
  it('delve: the directions below δ, plus one when δ − the last share below δ exceeds 0.02', () => {
    const values = [50, 30, 10, 5, 3, 2]; // cumulative shares .5 .8 .9 .95 .98 1
    expect(kForDelta(values, 0.5, 'delve')).toBe(1); // none below .5 → 1
    expect(kForDelta(values, 0.51, 'delve')).toBe(1); // below: .5; .51 − .5 = .01: no extension
    expect(kForDelta(values, 0.9, 'delve')).toBe(3); // below: .5 .8; .9 − .8 = .1 > .02 → 2 + 1
    expect(kForDelta(values, 0.96, 'delve')).toBe(4); // below: … .95; .01: no extension
    expect(kForDelta(values, 0.99, 'delve')).toBe(5); // below: … .98; .01: no extension
    // The clause fires: shares .6 .8 .9 .96 1, at .99 the last below is .96 (gap .03) → 4 + 1.
    expect(kForDelta([60, 20, 10, 6, 4], 0.99, 'delve')).toBe(5);
    expect(kForDelta([60, 20, 10, 6, 4], 0.99)).toBe(5);
    // …and does not: shares .6 .8 .9 .98 1, gap .01 → 4, one below the textbook k.
    expect(kForDelta([60, 20, 10, 8, 2], 0.99, 'delve')).toBe(4);
    expect(kForDelta([60, 20, 10, 8, 2], 0.99)).toBe(5);
  });

  it('delve: compares δ − share > 0.02 literally in float64, as delve does', () => {
    // 0.99 − 0.97 is 0.020000000000000018 in float64, just above 0.02: the clause fires.
    expect(0.99 - 0.97 > 0.02).toBe(true);
    expect(kForDelta([97, 2, 1], 0.99, 'delve')).toBe(2);
    // 0.99 − 0.98 = 0.010000000000000009: it does not.
    expect(kForDelta([98, 1, 1], 0.99, 'delve')).toBe(1);
    // The extension can take the last direction.
    expect(kForDelta([1, 1], 0.9, 'delve')).toBe(2);
  });

  it('delve: equals the textbook k, or one less exactly when the share before it is within 0.02 of δ', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let fewer = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const d = 1 + Math.floor(random() * 40);
      const values = Array.from({ length: d }, () => random() ** 4).sort((a, b) => b - a);
      const delta = 0.5 + random() * 0.49;
      const textbook = kForDelta(values, delta);
      const total = values.reduce((a, b) => a + b, 0);
      const before = values.slice(0, textbook - 1).reduce((a, b) => a + b, 0) / total;
      const delve = kForDelta(values, delta, 'delve');
      expect(delve).toBe(textbook > 1 && delta - before <= 0.02 ? textbook - 1 : textbook);
      if (delve < textbook) fewer++;
    }
    expect(fewer).toBeGreaterThan(50); // both branches were exercised
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
    expect(kForDelta([1, 1, 1, 1], 0.5, 'delve')).toBe(2); // below: .25; gap .25 → 1 + 1
    // Just past the boundary needs one more.
    expect(kForDelta([1, 1, 1, 1], 0.5 + 1e-9)).toBe(3);
  });

  it('handles ties, one dominant direction, zero tails and the zero spectrum', () => {
    expect(kForDelta([2, 2, 2, 2, 2], 0.99)).toBe(5);
    expect(kForDelta([2, 2, 2, 2, 2], 0.99, 'delve')).toBe(5); // below: … .8; gap .19 → 4 + 1
    expect(kForDelta([7, 0, 0, 0], 0.99)).toBe(1);
    expect(kForDelta([7, 0, 0, 0], 0.99, 'delve')).toBe(1);
    expect(kForDelta([5, 5, 0, 0], 0.99)).toBe(2);
    expect(kForDelta([0, 0, 0], 0.99)).toBe(0);
    // delve's own code reports 1 here (its 0/0 shares are NaN); a dead layer is k = 0 in satfarm.
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
    expect(saturationOf(cov, 4, { kRule: 'delve' }).k).toBe(2); // below: .8; gap .19 → 1 + 1
    expect(saturationOf(new Float64Array(9), 3)).toMatchObject({ k: 0, saturation: 0 });
  });

  it('validates δ before decomposing', () => {
    expect(() => saturationOf([1], 1, { delta: 1 })).toThrow(/delta/);
    expect(() => saturationFromEigenvalues([], {})).toThrow(/at least 1/);
    expect(saturationFromEigenvalues([3, 1], { delta: 0.9 })).toEqual({ k: 2, width: 2, saturation: 1 });
  });
});
