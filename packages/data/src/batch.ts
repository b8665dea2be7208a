import type { Split } from './dataset.ts';
import { InvalidDatasetOptionError } from './errors.ts';

/**
 * Copy examples `indices[start..end)` of `split` into fresh arrays (one batch). Fresh arrays,
 * because tfjs may keep a reference to whatever it is given; one `set` per image, because a
 * typed-array block copy is far faster than a per-pixel loop.
 */
export function gatherBatch(
  split: Split,
  indices: ArrayLike<number>,
  start: number,
  end: number,
  pixelsPerImage: number,
): { images: Float32Array; labels: Int32Array } {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end < start ||
    end > indices.length
  ) {
    throw new InvalidDatasetOptionError(
      'batch range',
      `${start}..${end}`,
      `integers with 0 <= start <= end <= ${indices.length} (the number of indices)`,
    );
  }
  if (split.images.length !== split.count * pixelsPerImage) {
    throw new InvalidDatasetOptionError(
      'pixelsPerImage',
      pixelsPerImage,
      `${split.images.length / split.count} (images.length / count of this split)`,
    );
  }
  const n = end - start;
  const images = new Float32Array(n * pixelsPerImage);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const idx = indices[start + k]!;
    if (!(idx >= 0 && idx < split.count) || !Number.isInteger(idx)) {
      throw new InvalidDatasetOptionError(
        `indices[${start + k}]`,
        idx,
        `an integer in 0..${split.count - 1}`,
      );
    }
    const from = idx * pixelsPerImage;
    images.set(split.images.subarray(from, from + pixelsPerImage), k * pixelsPerImage);
    labels[k] = split.labels[idx]!;
  }
  return { images, labels };
}
