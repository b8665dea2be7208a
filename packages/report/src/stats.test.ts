import { describe, expect, it } from 'vitest';
import { compareIndependent, comparePaired, judgedPts, pctPm, pts, summarize } from './stats.ts';

describe('stats', () => {
  it('summarises with the sample standard deviation, none for one value', () => {
    expect(summarize([0.8, 0.82, 0.84])).toEqual({ mean: 0.82, std: expect.closeTo(0.02, 12), n: 3 });
    expect(summarize([0.8])).toEqual({ mean: 0.8, std: null, n: 1 });
    expect(summarize([])).toBeUndefined();
  });

  it('judges a difference against twice its standard error', () => {
    const a = summarize([0.8, 0.82, 0.84])!;
    // SE = √(0.02²/3 + 0.02²/3) = 1.63 pts: 3 points is beyond 2 SE, 3 points with twice the spread is not.
    expect(compareIndependent(summarize([0.83, 0.85, 0.87])!, a).beyondNoise).toBe(false);
    expect(
      compareIndependent(summarize([0.85, 0.86, 0.87])!, summarize([0.81, 0.82, 0.83])!).beyondNoise,
    ).toBe(true);
    expect(compareIndependent(summarize([0.9])!, a)).toMatchObject({ se: null, beyondNoise: null });
    expect(comparePaired([0.01, 0.011, 0.009])?.beyondNoise).toBe(true);
    expect(comparePaired([0.01, -0.012, 0.005])?.beyondNoise).toBe(false);
  });

  it('formats spreads, signs and verdicts', () => {
    expect(pctPm(summarize([0.8, 0.82, 0.84]))).toBe('82.0 ± 2.0 %');
    expect(pts(-0.0004)).toBe('±0.0 pts');
    expect(pts(-0.012)).toBe('−1.2 pts');
    expect(judgedPts(comparePaired([0.01, -0.012, 0.005])!)).toBe('+0.1 pts (2 SE 1.3, within noise)');
    // 1.23 against 1.18 would both read 1.2.
    expect(judgedPts({ diff: -0.0123, se: 0.0059, beyondNoise: true })).toBe(
      '−1.23 pts (2 SE 1.18, beyond noise)',
    );
    // Nothing against nothing stays short.
    expect(judgedPts({ diff: 0, se: 0, beyondNoise: false })).toBe('±0.0 pts (2 SE 0.0, within noise)');
  });
});
