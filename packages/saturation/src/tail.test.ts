import { describe, expect, it } from 'vitest';
import { tailLength } from './tail.ts';

describe('tailLength', () => {
  it('counts the trailing layers far below the median', () => {
    // median 0.7 → bar 0.35: the last two layers (0.2, 0.1) form the tail; 0.3 in the middle does not count
    expect(tailLength([0.6, 0.3, 0.8, 0.7, 0.9, 0.7, 0.2, 0.1])).toBe(2);
  });

  it('is zero when the last layer is near the typical level', () => {
    expect(tailLength([0.9, 0.1, 0.1, 0.8])).toBe(0);
    expect(tailLength([])).toBe(0);
    expect(tailLength([0, 0, 0])).toBe(0); // nothing is below a zero bar
  });

  it('takes a stricter or looser bar', () => {
    const s = [0.8, 0.8, 0.8, 0.5, 0.3];
    expect(tailLength(s)).toBe(1);
    expect(tailLength(s, { ratio: 0.7 })).toBe(2);
    expect(() => tailLength(s, { ratio: 0 })).toThrow(/ratio/);
    expect(() => tailLength([1.2])).toThrow(/saturation/);
  });
});
