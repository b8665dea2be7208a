import * as tf from '@tensorflow/tfjs';

/**
 * Per-batch covariance statistics of one layer's output, computed on the device in float32 and
 * turned into a mean and a centred scatter on the host in float64 (`toCentred`). Conv outputs
 * (B,H,W,C) count every spatial position as a sample of dimension C; dense outputs (B,C) count every
 * example.
 *
 * Both forms are sums around a shift K: the column sums s = Σ(x − K) and the Gram matrix
 * G = Σ(x − K)(x − K)ᵀ, from which the host takes μ = K + s/n and M2 = G − s sᵀ/n. Their float32
 * error grows with n·(μ − K)²/M2, so K must be close to the mean against the spread:
 *
 * - `shifted`: K is a pilot mean, the mean of a few samples of this same batch (see `pilotShift`).
 *   Then μ − K is about one standard deviation whatever the mean, so large means cost no precision.
 *   (A float32 mean of all n rows is not good enough: on wasm, summing 65,536 rows near 10⁴ in
 *   float32 stagnates and misses the mean by several standard deviations when mean/std = 10⁴.)
 *   The subtraction x − K is a broadcast over every row: with it the form costs about twice the raw
 *   one on wasm (10 against 5 CPU ms for 65,536 rows of 16 channels).
 * - `raw`: K = 0, no subtraction. Exact enough only when the mean is small against the spread, so
 *   the tracker uses it just for those layers (see SaturationTracker) — most of them, since conv
 *   outputs are roughly centred.
 */
export type DeviceMoments =
  /** `shiftAndSum`: 2×C, row 0 the shift K, row 1 the column sums of x − K (one tensor, one read). */
  | { form: 'shifted'; count: number; shiftAndSum: tf.Tensor2D; gram: tf.Tensor2D }
  | { form: 'raw'; count: number; sum: tf.Tensor2D; gram: tf.Tensor2D };

/** Uniform spatial stride that keeps at most `maxSamples` rows per batch (0 = keep all). */
export function spatialStride(batch: number, height: number, width: number, maxSamples: number): number {
  if (maxSamples <= 0) return 1;
  const rows = batch * height * width;
  if (rows <= maxSamples) return 1;
  return Math.ceil(Math.sqrt(rows / maxSamples));
}

/**
 * The rows to track, as a matrix of C columns, and where they come from: `batch` examples of
 * `positions` spatial positions each (1 for dense outputs), `centre` the index of the centre
 * position within an example's rows.
 */
interface Samples {
  rows: tf.Tensor2D;
  batch: number;
  positions: number;
  centre: number;
}

function samplesOf(output: tf.Tensor, maxSamples: number): Samples {
  if (output.rank === 4) {
    const [b, h, w, c] = output.shape as [number, number, number, number];
    const stride = spatialStride(b, h, w, maxSamples);
    const kept =
      stride === 1 ? output : tf.stridedSlice(output, [0, 0, 0, 0], [b, h, w, c], [1, stride, stride, 1]);
    const [, keptH, keptW] = kept.shape as [number, number, number, number];
    return {
      rows: tf.reshape(kept, [-1, c]),
      batch: b,
      positions: keptH * keptW,
      centre: (keptH >> 1) * keptW + (keptW >> 1),
    };
  }
  if (output.rank === 2)
    return { rows: output as tf.Tensor2D, batch: output.shape[0]!, positions: 1, centre: 0 };
  throw new Error(`cannot track a layer output of rank ${output.rank}; expected 2 (dense) or 4 (conv)`);
}

/** Examples whose values (at the centre position, for conv outputs) average into the pilot shift. */
const PILOT_EXAMPLES = 64;

/**
 * The shift K (1×C) for the `shifted` form: the float32 mean of the first (at most) 64 examples at
 * the centre position of the map (conv), away from the borders, where padding pulls the statistics
 * off the interior's; of the first 64 rows (dense; examples come shuffled). A sum of at most 64
 * terms, so float32 keeps it within a fraction of a standard deviation of what it estimates even at
 * mean/std = 10⁶, and that lies within a few standard deviations of the batch mean. Any K gives the
 * exact moments in exact arithmetic; K only has to be near the mean for float32.
 *
 * Computed as one matrix–vector product w·X over all rows, with w = 1/64 at the chosen rows and 0
 * elsewhere (zeros add exactly, so only those terms accumulate), w built on the device by padding a
 * fill. Cheaper-looking ways fail on wasm: slicing rows out of X costs time in proportion to the whole
 * tensor (2.5 ms for 64 rows of a 64×32×32×16 map, as much as the Gram matrix); a product with X
 * reshaped otherwise (B × H·W·C) reuses the XNNPACK operator tfjs-backend-wasm caches per right-hand
 * tensor, ignoring its shape, and reads out of bounds; gathering rows would upload an index tensor
 * every batch.
 */
function pilotShift({ rows, batch, positions, centre }: Samples): tf.Tensor2D {
  const examples = Math.min(batch, PILOT_EXAMPLES);
  if (examples === batch && positions === 1) return tf.matMul(tf.fill([1, batch], 1 / batch), rows);
  const weights = tf.pad(tf.fill([examples, 1], 1 / examples), [
    [0, batch - examples],
    [centre, positions - centre - 1],
  ]);
  return tf.matMul(tf.reshape(weights, [1, batch * positions]), rows);
}

export function deviceMoments(
  output: tf.Tensor,
  maxSamples: number,
  form: DeviceMoments['form'],
): DeviceMoments {
  return tf.tidy(() => {
    const samples = samplesOf(output, maxSamples);
    const { rows } = samples;
    const count = rows.shape[0];
    const shift = form === 'shifted' ? pilotShift(samples) : undefined;
    const shifted = shift ? tf.sub(rows, shift) : rows;
    // A row of ones times X sums the columns through the GEMM path, ~20× faster than a reduction
    // over axis 0 on wasm. `fill`, not `ones`: ones are made on the host and uploaded every batch.
    const sum = tf.matMul(tf.fill([1, count], 1), shifted) as tf.Tensor2D;
    const gram = tf.matMul(shifted, shifted, true, false) as tf.Tensor2D;
    if (!shift) return { form: 'raw', count, sum, gram };
    return { form: 'shifted', count, shiftAndSum: tf.concat([shift, sum], 0) as tf.Tensor2D, gram };
  }) as DeviceMoments;
}

export function momentTensors(m: DeviceMoments): tf.Tensor[] {
  return m.form === 'raw' ? [m.sum, m.gram] : [m.shiftAndSum, m.gram];
}
