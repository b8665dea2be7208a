/**
 * The in-memory shape every loader produces and every consumer (training loop, CLI) reads.
 * Images are float32 NHWC so a batch can be copied straight into a `tf.tensor4d` without
 * transposing; labels are class indices (int32, what `tf.oneHot` takes).
 */

/** One split: `images.length === count · height · width · channels`, `labels.length === count`. */
export interface Split {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface Dataset {
  name: string;
  height: number;
  width: number;
  channels: number;
  classes: number;
  classNames: string[];
  train: Split;
  test: Split;
}

/** Pixels of one image, the stride between images in `Split.images`. */
export function pixelsPerImage(ds: Pick<Dataset, 'height' | 'width' | 'channels'>): number {
  return ds.height * ds.width * ds.channels;
}

/** Raw bytes 0..255 → float32 in [0, 1], the scale every loader hands out. */
export function bytesToUnitFloats(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}

/** Raw label bytes → int32 class indices. */
export function bytesToLabels(bytes: Uint8Array): Int32Array {
  return Int32Array.from(bytes);
}
