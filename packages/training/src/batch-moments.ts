import * as tf from '@tensorflow/tfjs';

/**
 * Per-batch covariance statistics of one layer's output, computed on the device in float32.
 * Conv outputs (B,H,W,C) count every spatial position as a sample of dimension C; dense outputs (B,C)
 * count every example.
 *
 * Two forms. `centred`: the batch mean and the scatter around it — exact in float32 whatever the
 * mean, but the broadcast subtraction costs about as much as the Gram matrix itself on wasm.
 * `raw`: the column sums (one matrix–vector product) and the raw Gram matrix XᵀX; the host turns them
 * into a scatter in float64 (M2 = XᵀX − n·μμᵀ). That loses float32 precision in proportion to
 * μ²/σ², so the tracker uses it only for layers whose mean is small against their spread (see
 * SaturationTracker) — most of them, since conv outputs are roughly centred.
 */
export type DeviceMoments =
  | { form: 'centred'; count: number; mean: tf.Tensor1D; m2: tf.Tensor2D }
  | { form: 'raw'; count: number; sum: tf.Tensor2D; gram: tf.Tensor2D };

/** Uniform spatial stride that keeps at most `maxSamples` rows per batch (0 = keep all). */
export function spatialStride(batch: number, height: number, width: number, maxSamples: number): number {
  if (maxSamples <= 0) return 1;
  const rows = batch * height * width;
  if (rows <= maxSamples) return 1;
  return Math.ceil(Math.sqrt(rows / maxSamples));
}

function samplesOf(output: tf.Tensor, maxSamples: number): tf.Tensor2D {
  if (output.rank === 4) {
    const [b, h, w, c] = output.shape as [number, number, number, number];
    const stride = spatialStride(b, h, w, maxSamples);
    const kept =
      stride === 1 ? output : tf.stridedSlice(output, [0, 0, 0, 0], [b, h, w, c], [1, stride, stride, 1]);
    return tf.reshape(kept, [-1, c]);
  }
  if (output.rank === 2) return output as tf.Tensor2D;
  throw new Error(`cannot track a layer output of rank ${output.rank}; expected 2 (dense) or 4 (conv)`);
}

export function deviceMoments(
  output: tf.Tensor,
  maxSamples: number,
  form: DeviceMoments['form'],
): DeviceMoments {
  return tf.tidy(() => {
    const samples = samplesOf(output, maxSamples);
    const count = samples.shape[0];
    // A row of ones times X sums the columns through the GEMM path, ~20× faster than a reduction
    // over axis 0 on wasm. `fill`, not `ones`: ones are made on the host and uploaded every batch.
    const sum = tf.matMul(tf.fill([1, count], 1), samples) as tf.Tensor2D;
    if (form === 'raw') {
      return { form, count, sum, gram: tf.matMul(samples, samples, true, false) as tf.Tensor2D };
    }
    const mean = tf.reshape(tf.div(sum, count), [-1]) as tf.Tensor1D;
    const centred = tf.sub(samples, mean);
    return { form, count, mean, m2: tf.matMul(centred, centred, true, false) as tf.Tensor2D };
  }) as DeviceMoments;
}

export function momentTensors(m: DeviceMoments): tf.Tensor[] {
  return m.form === 'raw' ? [m.sum, m.gram] : [m.mean, m.m2];
}
