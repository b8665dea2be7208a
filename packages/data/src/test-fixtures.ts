/** Builders of small dataset files for this package's tests (not exported from the package). */

/** An IDX file: magic, big-endian dims, payload. */
export function idxBytes(magic: number, dims: number[], payload: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

/**
 * CIFAR-10 binary records with known pixels: record `n` has label `labels[n]` and, at pixel
 * p = y·32 + x, R = (p + n) mod 256, G = (3p + 1) mod 256, B = (255 − p − 2n) mod 256.
 */
export function cifarRecords(labels: number[], firstIndex = 0): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((label, k) => {
    const n = firstIndex + k;
    const rec = k * 3073;
    out[rec] = label;
    for (let p = 0; p < 1024; p++) {
      const [r, g, b] = cifarPixel(n, p);
      out[rec + 1 + p] = r;
      out[rec + 1 + 1024 + p] = g;
      out[rec + 1 + 2048 + p] = b;
    }
  });
  return out;
}

/** The [R, G, B] bytes `cifarRecords` writes for record `n`, pixel `p`. */
export function cifarPixel(n: number, p: number): [number, number, number] {
  return [(p + n) & 255, (3 * p + 1) & 255, (255 - p - 2 * n) & 255];
}

/**
 * Bitwise equality of two typed arrays. `expect(a).toEqual(b)` walks large typed arrays element
 * by element through the generic differ and costs ~1 s per 100k floats; this is instant.
 */
export function sameValues(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
