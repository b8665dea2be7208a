import { DatasetCorruptError } from './errors.ts';

/**
 * CIFAR-10 "binary version": a batch file is a run of 3073-byte records, 1 label byte then a
 * 32×32 colour image stored planar (1024 R, 1024 G, 1024 B; each plane row-major).
 */

export const CIFAR10_SIZE = 32;
export const CIFAR10_CHANNELS = 3;
export const CIFAR10_CLASSES = 10;
const PLANE = CIFAR10_SIZE * CIFAR10_SIZE;
const PIXELS = PLANE * CIFAR10_CHANNELS;
export const CIFAR10_RECORD_BYTES = 1 + PIXELS;

/**
 * Decode one batch file already in memory (pure) and convert planar CHW to interleaved NHWC,
 * the layout the rest of satfarm uses. `what` names the file in error messages.
 */
export function parseCifar10Batch(
  bytes: Uint8Array,
  what: string,
): { images: Uint8Array; labels: Uint8Array; count: number } {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetCorruptError(
      what,
      `length ${bytes.length} bytes is not a positive multiple of ${CIFAR10_RECORD_BYTES} ` +
        `(1 label byte + 3072 pixel bytes per record); truncated or not a CIFAR-10 binary batch`,
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const rec = n * CIFAR10_RECORD_BYTES;
    const label = bytes[rec]!;
    if (label >= CIFAR10_CLASSES) {
      throw new DatasetCorruptError(
        what,
        `record ${n} has label ${label}, expected 0..${CIFAR10_CLASSES - 1} (not CIFAR-10? CIFAR-100 records are 3074 bytes)`,
      );
    }
    labels[n] = label;
    const src = rec + 1;
    const dst = n * PIXELS;
    for (let p = 0; p < PLANE; p++) {
      const o = dst + p * CIFAR10_CHANNELS;
      images[o] = bytes[src + p]!;
      images[o + 1] = bytes[src + PLANE + p]!;
      images[o + 2] = bytes[src + 2 * PLANE + p]!;
    }
  }
  return { images, labels, count };
}
