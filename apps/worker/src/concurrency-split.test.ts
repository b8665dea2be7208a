import { describe, expect, it } from 'vitest';
import { splitConcurrency } from './concurrency-split.ts';

describe('splitConcurrency', () => {
  it('spreads trainers as evenly as possible, larger shares first', () => {
    expect(splitConcurrency(2, 2)).toEqual([1, 1]);
    expect(splitConcurrency(5, 2)).toEqual([3, 2]);
    expect(splitConcurrency(4, 3)).toEqual([2, 1, 1]);
    expect(splitConcurrency(8, 4)).toEqual([2, 2, 2, 2]);
    expect(splitConcurrency(7, 1)).toEqual([7]);
  });

  it('always hands out exactly the total, at most one apart', () => {
    for (let parts = 1; parts <= 8; parts++) {
      for (let total = parts; total <= 40; total++) {
        const shares = splitConcurrency(total, parts);
        expect(shares).toHaveLength(parts);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('refuses fewer trainers than GPUs: a GPU would idle', () => {
    expect(() => splitConcurrency(1, 2)).toThrow(/1 trainers cannot cover 2 GPUs: a GPU would idle/);
    expect(() => splitConcurrency(3, 0)).toThrow(RangeError);
  });
});
