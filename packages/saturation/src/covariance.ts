import { InvalidArgumentError, ShapeMismatchError } from './errors.ts';

/**
 * Statistics of one batch of samples: count, mean and centered scatter
 * `m2 = Σ (x − μ_b)(x − μ_b)ᵀ` (d×d, row-major). May come from the device in float32.
 */
export interface BatchMoments {
  count: number;
  mean: ArrayLike<number>;
  m2: ArrayLike<number>;
}

/** JSON-safe snapshot of a {@link CovarianceAccumulator}, for checkpoints. */
export interface CovarianceState {
  width: number;
  count: number;
  mean: number[];
  m2: number[];
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1) {
    throw new InvalidArgumentError('width', width, 'a positive integer');
  }
}

function checkCount(field: string, count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidArgumentError(field, count, 'a non-negative integer');
  }
}

/**
 * Count, mean and centered scatter of `rowCount` samples of dimension `width` (row-major), in
 * float64 on the host. Two passes (mean first, then scatter of the centered rows) so that data with
 * a large mean and a small spread keeps its precision, which a one-pass Σxxᵀ − nμμᵀ would lose.
 */
export function batchMoments(rows: ArrayLike<number>, rowCount: number, width: number): BatchMoments {
  checkWidth(width);
  checkCount('rowCount', rowCount);
  if (rows.length !== rowCount * width) {
    throw new ShapeMismatchError(`rows (${rowCount} rows × width ${width})`, rows.length, rowCount * width);
  }
  const mean = new Float64Array(width);
  const m2 = new Float64Array(width * width);
  if (rowCount === 0) return { count: 0, mean, m2 };

  for (let r = 0; r < rowCount; r++) {
    const base = r * width;
    for (let i = 0; i < width; i++) mean[i]! += rows[base + i]!;
  }
  for (let i = 0; i < width; i++) mean[i]! /= rowCount;

  // Accumulate the upper triangle only, then mirror: half the work of the full outer product.
  const centered = new Float64Array(width);
  for (let r = 0; r < rowCount; r++) {
    const base = r * width;
    for (let i = 0; i < width; i++) centered[i] = rows[base + i]! - mean[i]!;
    for (let i = 0; i < width; i++) {
      const ci = centered[i]!;
      if (ci === 0) continue;
      const rowOffset = i * width;
      for (let j = i; j < width; j++) m2[rowOffset + j]! += ci * centered[j]!;
    }
  }
  for (let i = 0; i < width; i++) {
    for (let j = i + 1; j < width; j++) m2[j * width + i] = m2[i * width + j]!;
  }
  return { count: rowCount, mean, m2 };
}

/**
 * Running count, mean and scatter of a layer's activations, merged batch by batch with the
 * parallel update of Chan, Golub & LeVeque (numerically stable, order-independent up to round-off):
 * `δ = μ_b − μ_a; n = n_a + n_b; μ = μ_a + δ·n_b/n; M2 = M2_a + M2_b + δδᵀ·n_a·n_b/n`.
 * Everything is held in float64 whatever precision the batches arrive in.
 */
export class CovarianceAccumulator {
  readonly width: number;
  #count = 0;
  readonly #mean: Float64Array;
  readonly #m2: Float64Array;
  /** Scratch for δ, reused so a merge allocates nothing. */
  readonly #delta: Float64Array;

  constructor(width: number) {
    checkWidth(width);
    this.width = width;
    this.#mean = new Float64Array(width);
    this.#m2 = new Float64Array(width * width);
    this.#delta = new Float64Array(width);
  }

  get count(): number {
    return this.#count;
  }

  merge(batch: BatchMoments): void {
    const d = this.width;
    checkCount('batch.count', batch.count);
    if (batch.mean.length !== d) throw new ShapeMismatchError('batch.mean', batch.mean.length, d);
    if (batch.m2.length !== d * d) throw new ShapeMismatchError('batch.m2', batch.m2.length, d * d);
    const nb = batch.count;
    if (nb === 0) return;
    const na = this.#count;
    const n = na + nb;
    const mean = this.#mean;
    const m2 = this.#m2;
    const bm2 = batch.m2;

    if (na === 0) {
      for (let i = 0; i < d; i++) mean[i] = batch.mean[i]!;
      for (let i = 0; i < d * d; i++) m2[i] = bm2[i]!;
      this.#count = nb;
      return;
    }

    const delta = this.#delta;
    const meanStep = nb / n;
    for (let i = 0; i < d; i++) {
      const di = batch.mean[i]! - mean[i]!;
      delta[i] = di;
      mean[i] = mean[i]! + di * meanStep;
    }
    const cross = (na * nb) / n;
    for (let i = 0; i < d; i++) {
      const di = delta[i]! * cross;
      const rowOffset = i * d;
      for (let j = 0; j < d; j++) {
        const k = rowOffset + j;
        m2[k] = m2[k]! + bm2[k]! + di * delta[j]!;
      }
    }
    this.#count = n;
  }

  /** Adds raw samples (`rowCount` rows of `width`, row-major), via {@link batchMoments}. */
  addRows(rows: ArrayLike<number>, rowCount: number): void {
    this.merge(batchMoments(rows, rowCount, this.width));
  }

  mean(): Float64Array {
    return Float64Array.from(this.#mean);
  }

  /** Population covariance `M2 / n` (d×d, row-major). */
  covariance(): Float64Array {
    if (this.#count === 0) {
      throw new InvalidArgumentError('count', 0, 'at least one sample before reading the covariance');
    }
    const out = new Float64Array(this.#m2.length);
    const inv = 1 / this.#count;
    for (let i = 0; i < out.length; i++) out[i] = this.#m2[i]! * inv;
    return out;
  }

  /** Forgets every sample (after an epoch's read-out: the weights have moved). */
  reset(): void {
    this.#count = 0;
    this.#mean.fill(0);
    this.#m2.fill(0);
  }

  toState(): CovarianceState {
    return {
      width: this.width,
      count: this.#count,
      mean: Array.from(this.#mean),
      m2: Array.from(this.#m2),
    };
  }

  /** Restores a snapshot; rejects one whose sizes disagree or whose numbers are not finite. */
  static fromState(state: CovarianceState): CovarianceAccumulator {
    const acc = new CovarianceAccumulator(state.width);
    checkCount('state.count', state.count);
    const d = state.width;
    if (state.mean.length !== d) throw new ShapeMismatchError('state.mean', state.mean.length, d);
    if (state.m2.length !== d * d) throw new ShapeMismatchError('state.m2', state.m2.length, d * d);
    const finite = (field: string, values: number[]): void => {
      const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad >= 0) throw new InvalidArgumentError(`${field}[${bad}]`, values[bad], 'a finite number');
    };
    finite('state.mean', state.mean);
    finite('state.m2', state.m2);
    acc.#count = state.count;
    acc.#mean.set(state.mean);
    acc.#m2.set(state.m2);
    return acc;
  }
}
