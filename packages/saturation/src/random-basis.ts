import { InvalidArgumentError } from './errors.ts';

// The seeded generator lives in @satfarm/contracts (the data package shuffles with it too).
export { mulberry32 } from '@satfarm/contracts';

/**
 * The seed of one random control basis: a 32-bit mix (murmur3's finaliser after each part) of the
 * trial's seed, the layer's index and the draw. A basis depends on what it is for, never on the order
 * bases are made in: a layer's draw r is the same basis whether the layer is projected alone or with
 * the others, and at every δ (the control keeps its first k columns), and adding a layer or a δ
 * changes no other result.
 */
export function controlSeed(trialSeed: number, layerIndex: number, draw: number): number {
  const parts = { trialSeed, layerIndex, draw };
  for (const [field, value] of Object.entries(parts)) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new InvalidArgumentError(field, value, 'an integer in [0, 2^32)');
    }
  }
  let h = 0x9e3779b9;
  for (const part of [trialSeed, layerIndex, draw]) {
    h = Math.imul(h ^ part, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Standard normal draw by Box–Muller; `1 − u` keeps the logarithm's argument in (0, 1]. */
function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A uniformly random k-dimensional subspace of R^d, as a d×k row-major matrix with orthonormal
 * columns: Gaussian columns orthonormalised by modified Gram–Schmidt with one re-orthogonalisation
 * pass ("twice is enough"), so orthogonality holds to round-off even for k = d. Used as the control
 * for eigenspace projection: same k, directions chosen blind to the data.
 */
export function randomOrthonormalBasis(d: number, k: number, random: () => number): Float64Array {
  if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError('d', d, 'a positive integer');
  if (!Number.isInteger(k) || k < 0 || k > d)
    throw new InvalidArgumentError('k', k, `an integer in [0, ${d}]`);
  // Work column-major (each column contiguous), transpose on the way out.
  const columns = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const col = c * d;
    for (let attempt = 0; ; attempt++) {
      for (let i = 0; i < d; i++) columns[col + i] = gaussian(random);
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < c; p++) {
          const prev = p * d;
          let dot = 0;
          for (let i = 0; i < d; i++) dot += columns[prev + i]! * columns[col + i]!;
          for (let i = 0; i < d; i++) columns[col + i] = columns[col + i]! - dot * columns[prev + i]!;
        }
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += columns[col + i]! * columns[col + i]!;
      norm = Math.sqrt(norm);
      // A Gaussian draw lies in the span of the previous columns with probability 0; redraw if
      // round-off (or a degenerate `random`) left almost nothing.
      if (norm > 1e-8) {
        for (let i = 0; i < d; i++) columns[col + i] = columns[col + i]! / norm;
        break;
      }
      if (attempt >= 10) {
        throw new InvalidArgumentError(
          'random',
          'a degenerate generator',
          'a source of independent uniform draws',
        );
      }
    }
  }
  const basis = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let i = 0; i < d; i++) basis[i * k + c] = columns[c * d + i]!;
  return basis;
}
