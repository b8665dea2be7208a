import { DatasetCorruptError } from './errors.ts';

/**
 * IDX (the MNIST/Fashion-MNIST container): a 4-byte magic `0x00 0x00 <type> <ndims>`, then
 * `ndims` big-endian uint32 sizes, then the data row-major. Only unsigned bytes (type 0x08) are
 * supported: that is all (Fashion-)MNIST uses, and it keeps the decoder a view, not a copy.
 */

const UBYTE = 0x08;
const MAGIC_LABELS = 0x00000801;
const MAGIC_IMAGES = 0x00000803;

export type IdxKind = 'labels' | 'images';
const MAGIC_OF: Record<IdxKind, number> = { labels: MAGIC_LABELS, images: MAGIC_IMAGES };

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Decode an IDX file already in memory (pure). `what` names the file in error messages.
 * `expect` pins the magic to labels (0x00000801) or images (0x00000803); without it either is
 * accepted. `data` is a view into `bytes` (no copy).
 */
export function parseIdx(
  bytes: Uint8Array,
  what: string,
  expect?: IdxKind,
): { dims: number[]; data: Uint8Array } {
  if (bytes.length < 4) {
    throw new DatasetCorruptError(
      what,
      `truncated: expected at least 4 bytes of IDX header, got ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const expectedText =
    expect === undefined
      ? `${hex(MAGIC_LABELS)} (ubyte labels) or ${hex(MAGIC_IMAGES)} (ubyte images)`
      : `${hex(MAGIC_OF[expect])} (ubyte ${expect})`;
  const valid =
    expect === undefined ? magic === MAGIC_LABELS || magic === MAGIC_IMAGES : magic === MAGIC_OF[expect];
  if (!valid) {
    const typeNote =
      magic >>> 16 === 0 && ((magic >>> 8) & 0xff) !== UBYTE
        ? ` (data type 0x${((magic >>> 8) & 0xff).toString(16)} is not supported; only ubyte 0x08)`
        : '';
    throw new DatasetCorruptError(
      what,
      `wrong IDX magic: found ${hex(magic)}, expected ${expectedText}${typeNote}`,
    );
  }
  const ndims = magic & 0xff;
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DatasetCorruptError(
      what,
      `truncated: expected at least ${headerBytes} bytes of IDX header, got ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    size *= d;
  }
  const expectedBytes = headerBytes + size;
  if (bytes.length < expectedBytes) {
    throw new DatasetCorruptError(
      what,
      `truncated: expected ${expectedBytes} bytes for dims [${dims.join(', ')}], got ${bytes.length}`,
    );
  }
  if (bytes.length > expectedBytes) {
    // Trailing bytes mean the header and the payload disagree, so neither can be trusted.
    throw new DatasetCorruptError(
      what,
      `expected ${expectedBytes} bytes for dims [${dims.join(', ')}], got ${bytes.length} (trailing data)`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes, expectedBytes) };
}
