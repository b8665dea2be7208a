import * as tf from '@tensorflow/tfjs';
import type { Dataset, Split } from './dataset.ts';
import { InvalidDatasetOptionError } from './errors.ts';

/**
 * Resize every image of a dataset to `resolution`×`resolution` once per trial (not per batch).
 * Bilinear with half-pixel centres (alignCorners false), TensorFlow's modern convention, which
 * keeps the image centred when scaling. Images go through the active tfjs backend in chunks so
 * peak memory is one chunk of tensors plus the output array, and every tensor is disposed.
 */

/** Images per chunk: ~1024 keeps a chunk of 224×224×3 floats near 600 MB and 28 px ones at ~3 MB. */
export const RESIZE_CHUNK = 1024;

function checkResolution(resolution: number): void {
  if (!Number.isInteger(resolution) || resolution < 1) {
    throw new InvalidDatasetOptionError('resolution', resolution, 'a positive integer (pixels per side)');
  }
}

function resizedChunk(split: Split, ds: Dataset, start: number, n: number, resolution: number): tf.Tensor4D {
  const { height: h, width: w, channels: c } = ds;
  const ppi = h * w * c;
  // A copy, not a subarray: some backends upload `values.buffer` and would see the whole split.
  const x = tf.tensor4d(split.images.slice(start * ppi, (start + n) * ppi), [n, h, w, c], 'float32');
  return tf.image.resizeBilinear(x, [resolution, resolution], false, true);
}

function withSize(ds: Dataset, resolution: number, train: Split, test: Split): Dataset {
  return { ...ds, height: resolution, width: resolution, train, test };
}

/**
 * Synchronous resize (reads results back with `dataSync`). Works on the cpu, wasm and
 * tensorflow backends; on webgpu in Node a synchronous read-back is not available (tfjs reads
 * through an OffscreenCanvas), so use `resizeDatasetAsync` there.
 * Returns `ds` itself when it already has that size.
 */
export function resizeDataset(ds: Dataset, resolution: number): Dataset {
  checkResolution(resolution);
  if (ds.height === resolution && ds.width === resolution) return ds;
  const resizeSplit = (split: Split): Split => {
    const out = new Float32Array(split.count * resolution * resolution * ds.channels);
    const outPpi = resolution * resolution * ds.channels;
    for (let start = 0; start < split.count; start += RESIZE_CHUNK) {
      const n = Math.min(RESIZE_CHUNK, split.count - start);
      tf.tidy(() => {
        out.set(resizedChunk(split, ds, start, n, resolution).dataSync(), start * outPpi);
      });
    }
    return { images: out, labels: split.labels, count: split.count };
  };
  return withSize(ds, resolution, resizeSplit(ds.train), resizeSplit(ds.test));
}

/** Same result as `resizeDataset`, read back asynchronously: the variant for GPU backends. */
export async function resizeDatasetAsync(ds: Dataset, resolution: number): Promise<Dataset> {
  checkResolution(resolution);
  if (ds.height === resolution && ds.width === resolution) return ds;
  const resizeSplit = async (split: Split): Promise<Split> => {
    const out = new Float32Array(split.count * resolution * resolution * ds.channels);
    const outPpi = resolution * resolution * ds.channels;
    for (let start = 0; start < split.count; start += RESIZE_CHUNK) {
      const n = Math.min(RESIZE_CHUNK, split.count - start);
      // tidy disposes the input; the returned output is disposed below once read.
      const y = tf.tidy(() => resizedChunk(split, ds, start, n, resolution));
      try {
        out.set(await y.data(), start * outPpi);
      } finally {
        y.dispose();
      }
    }
    return { images: out, labels: split.labels, count: split.count };
  };
  const train = await resizeSplit(ds.train);
  const test = await resizeSplit(ds.test);
  return withSize(ds, resolution, train, test);
}
