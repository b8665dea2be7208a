import { mulberry32 } from '@satfarm/contracts';
import { InvalidDatasetOptionError } from './errors.ts';

/**
 * Seeded randomness for data order and synthetic data: the same mulberry32 generator
 * (@satfarm/contracts) the saturation package uses for its random controls (32-bit state, fast, good enough for shuffling and noise).
 */
export function createRng(seed: number): () => number {
  return mulberry32(seed);
}

/**
 * Hash two integers into one 32-bit seed (murmur3 finaliser), so neighbouring (seed, epoch)
 * pairs give unrelated streams instead of shifted copies of one another.
 */
export function mixSeeds(a: number, b: number): number {
  let h = (a >>> 0) ^ Math.imul((b >>> 0) + 0x632be5ab, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fisher–Yates shuffle of `0..count-1` in place with `rng`. */
export function shuffleInPlace(values: Int32Array, rng: () => number): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = values[i]!;
    values[i] = values[j]!;
    values[j] = tmp;
  }
  return values;
}

/**
 * The example order for one epoch: a permutation of `0..count-1` that depends only on
 * (seed, epoch), so a trial resumed from a checkpoint at epoch e replays exactly the order it
 * would have seen, with no RNG state to carry between epochs.
 */
export function shuffledIndices(count: number, seed: number, epoch: number): Int32Array {
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidDatasetOptionError('count', count, 'a non-negative integer');
  }
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  return shuffleInPlace(indices, createRng(mixSeeds(seed, epoch)));
}
