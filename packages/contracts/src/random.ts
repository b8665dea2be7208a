import { InvalidValueError } from './invalid-value.ts';

/**
 * Mulberry32: a tiny seeded PRNG with uniform output in [0, 1). Not cryptographic; it exists so the
 * random-projection control is reproducible from a seed recorded with the trial.
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new InvalidValueError('seed', seed, 'a finite number');
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
