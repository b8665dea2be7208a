import * as tf from '@tensorflow/tfjs';

/**
 * Per-batch covariance statistics of one layer's output, computed on the device in float32.
 * Conv outputs (B,H,W,C) count every spatial position as a sample of dimension C; dense outputs (B,C)
 * count every example. The scatter is centred on the *batch* mean so float32 keeps its precision even
 * when the activations have a large mean; the float64 merge across batches happens on the host.
 */
export interface DeviceMoments {
  count: number;
  mean: tf.Tensor1D;
  m2: tf.Tensor2D;
}

/** Uniform spatial stride that keeps at most `maxSamples` rows per batch (0 = keep all). */
export function spatialStride(batch: number, height: number, width: number, maxSamples: number): number {
  if (maxSamples <= 0) return 1;
  const rows = batch * height * width;
  if (rows <= maxSamples) return 1;
  return Math.ceil(Math.sqrt(rows / maxSamples));
}

export function deviceMoments(output: tf.Tensor, maxSamples: number): DeviceMoments {
  return tf.tidy(() => {
    let samples: tf.Tensor2D;
    if (output.rank === 4) {
      const [b, h, w, c] = output.shape as [number, number, number, number];
      const stride = spatialStride(b, h, w, maxSamples);
      const kept =
        stride === 1 ? output : tf.stridedSlice(output, [0, 0, 0, 0], [b, h, w, c], [1, stride, stride, 1]);
      samples = tf.reshape(kept, [-1, c]);
    } else if (output.rank === 2) {
      samples = output as tf.Tensor2D;
    } else {
      throw new Error(`cannot track a layer output of rank ${output.rank}; expected 2 (dense) or 4 (conv)`);
    }
    const mean = tf.mean(samples, 0) as tf.Tensor1D;
    const centred = tf.sub(samples, mean);
    const m2 = tf.matMul(centred, centred, true, false) as tf.Tensor2D;
    return { count: samples.shape[0], mean, m2 };
  });
}
