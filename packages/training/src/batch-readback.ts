import * as tf from '@tensorflow/tfjs';
import { type DeviceMoments, momentTensors } from './batch-moments.ts';

/** One layer's device moments after the read: the same form and count, the values on the host. */
export interface HostMoments {
  form: DeviceMoments['form'];
  count: number;
  /** Column sums: around the pilot shift K (shifted form, whose `first` holds K then the sums) or raw. */
  first: Float32Array;
  /** The Gram matrix (X − K)ᵀ(X − K) (shifted form) or XᵀX (raw form), row-major `width × width`. */
  second: Float32Array;
}

export interface BatchReadback {
  /** The scalar tensors' values, in the order given. */
  scalars: number[];
  moments: HostMoments[];
}

/**
 * Reads everything one batch needs on the host — a few scalars (loss, correct count) and every
 * tracked layer's moments — in ONE transfer: on a GPU each read is a round trip that stalls the queue,
 * so the pieces are flattened into one float32 tensor on the device first. Disposes the tensors it
 * was given, read or not.
 */
export async function readBatch(
  scalars: readonly tf.Tensor[],
  moments: readonly DeviceMoments[],
): Promise<BatchReadback> {
  const pieces = [...scalars, ...moments.flatMap(momentTensors)];
  try {
    if (pieces.length === 0) return { scalars: [], moments: [] };
    const packed = tf.tidy(() =>
      tf.concat(
        pieces.map((t) => tf.reshape(tf.cast(t, 'float32'), [-1])),
        0,
      ),
    );
    let values: Float32Array;
    try {
      values = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
    let at = 0;
    const take = (size: number) => {
      const part = values.subarray(at, at + size);
      at += size;
      return part;
    };
    return {
      scalars: scalars.map((t) => take(t.size)[0]!),
      moments: moments.map((m) => {
        const [first, second] = momentTensors(m) as [tf.Tensor, tf.Tensor];
        return { form: m.form, count: m.count, first: take(first.size), second: take(second.size) };
      }),
    };
  } finally {
    tf.dispose(pieces);
  }
}
