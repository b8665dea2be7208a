import { describe, expect, it } from 'vitest';
import { InvalidDatasetOptionError } from './errors.ts';
import { createRng, shuffledIndices } from './rng.ts';

function isPermutation(a: Int32Array): boolean {
  const seen = new Uint8Array(a.length);
  for (const v of a) {
    if (v < 0 || v >= a.length || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

describe('createRng', () => {
  it('is deterministic per seed, in [0, 1), and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
});

describe('shuffledIndices', () => {
  it('returns a permutation, deterministic per (seed, epoch)', () => {
    const p = shuffledIndices(1000, 7, 3);
    expect(isPermutation(p)).toBe(true);
    expect([...shuffledIndices(1000, 7, 3)]).toEqual([...p]);
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('differs across epochs and seeds', () => {
    const base = [...shuffledIndices(500, 7, 0)];
    expect([...shuffledIndices(500, 7, 1)]).not.toEqual(base);
    expect([...shuffledIndices(500, 8, 0)]).not.toEqual(base);
    // Neighbouring (seed, epoch) pairs must not be the same stream shifted: (7,1) vs (8,0).
    expect([...shuffledIndices(500, 7, 1)]).not.toEqual([...shuffledIndices(500, 8, 0)]);
  });

  it('puts each element in each position about equally often', () => {
    const positionsOfZero = new Array(4).fill(0);
    for (let epoch = 0; epoch < 4000; epoch++) positionsOfZero[shuffledIndices(4, 1, epoch).indexOf(0)]++;
    for (const c of positionsOfZero) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('handles 0 and 1 and rejects negative or fractional counts', () => {
    expect(shuffledIndices(0, 1, 1).length).toBe(0);
    expect([...shuffledIndices(1, 1, 1)]).toEqual([0]);
    expect(() => shuffledIndices(-1, 1, 1)).toThrow(InvalidDatasetOptionError);
    expect(() => shuffledIndices(2.5, 1, 1)).toThrow(/count '2.5'/);
  });
});
