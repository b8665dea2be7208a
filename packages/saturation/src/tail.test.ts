import { describe, expect, it } from 'vitest';
import { networkTailLength, tailLength } from './tail.ts';

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

describe('networkTailLength', () => {
  const named = (saturations: number[], last = 'classifier') =>
    saturations.map((saturation, i) => ({
      name: i === saturations.length - 1 ? last : `conv${i}`,
      saturation,
    }));

  it('leaves the classifier out of the run and of the median', () => {
    // With the classifier (0.1, the last layer) counted the tail would be 3 (0.2, 0.1, 0.1 under
    // 0.5 · median 0.6); without it, 2. The classifier's own saturation says how many classes it
    // separates, not whether the layers before it work.
    const layers = named([0.8, 0.7, 0.6, 0.6, 0.2, 0.1, 0.1]);
    expect(tailLength(layers.map((l) => l.saturation))).toBe(3);
    expect(networkTailLength(layers, 'classifier')).toBe(2);
    // A high classifier neither raises the median nor hides a tail.
    expect(networkTailLength(named([0.8, 0.8, 0.2, 1]), 'classifier')).toBe(1);
    expect(tailLength([0.8, 0.8, 0.2, 1])).toBe(0);
  });

  it('refuses a classifier that is not the last layer', () => {
    expect(() => networkTailLength(named([0.5, 0.5], 'fc'), 'classifier')).toThrow(
      /Invalid classifier 'classifier': expected the name of the last tracked layer \('fc'\)/,
    );
    expect(() => networkTailLength([], 'classifier')).toThrow(/there is none/);
  });
});
