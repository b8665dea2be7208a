import { InvalidDatasetOptionError } from './errors.ts';

/**
 * How many examples of a split to keep. Limits take the FIRST N examples, never a seeded
 * sample: a trial's seed should vary only the training randomness (initialisation, batch order),
 * so trials that differ in seed, architecture or resolution are compared on the very same
 * images. (Fashion-MNIST and CIFAR-10 ship in shuffled order, so a prefix is close to
 * class-balanced.) A limit above the split size keeps the whole split; a limit ≤ 0 or a
 * non-integer is an error.
 */
export function resolveLimit(limit: number | undefined, available: number, field: string): number {
  if (limit === undefined) return available;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new InvalidDatasetOptionError(
      field,
      limit,
      'a positive integer (or omit it to use the whole split)',
    );
  }
  return Math.min(limit, available);
}
