import { describe, expect, it } from 'vitest';
import { DatasetCorruptError } from './errors.ts';
import { parseIdx } from './idx.ts';
import { idxBytes } from './test-fixtures.ts';

function corruptError(fn: () => unknown): DatasetCorruptError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetCorruptError);
    return err as DatasetCorruptError;
  }
  throw new Error('expected a DatasetCorruptError, nothing was thrown');
}

describe('parseIdx', () => {
  it('decodes labels and images with their dims, as a view', () => {
    const labels = parseIdx(idxBytes(0x801, [3], [7, 0, 9]), 'l');
    expect(labels.dims).toEqual([3]);
    expect([...labels.data]).toEqual([7, 0, 9]);

    const pixels = Array.from({ length: 2 * 3 * 2 }, (_, i) => i * 10);
    const bytes = idxBytes(0x803, [2, 3, 2], pixels);
    const images = parseIdx(bytes, 'i', 'images');
    expect(images.dims).toEqual([2, 3, 2]);
    expect([...images.data]).toEqual(pixels);
    expect(images.data.buffer).toBe(bytes.buffer);
  });

  it('respects byteOffset of a subarray input', () => {
    const inner = idxBytes(0x801, [2], [4, 5]);
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    expect([...parseIdx(outer.subarray(3), 'x', 'labels').data]).toEqual([4, 5]);
  });

  it('names found and expected magic, and the file', () => {
    const err = corruptError(() => parseIdx(idxBytes(0x803, [1, 1, 1], [0]), 'train-labels', 'labels'));
    expect(err.file).toBe('train-labels');
    expect(err.message).toContain('train-labels');
    expect(err.message).toContain('found 0x00000803');
    expect(err.message).toContain('expected 0x00000801');
  });

  it('rejects non-IDX bytes and non-ubyte IDX types', () => {
    const gz = corruptError(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'f'));
    expect(gz.message).toContain('found 0x1f8b0800');
    const floats = corruptError(() => parseIdx(idxBytes(0x0d01, [1], [0, 0, 0, 0]), 'f'));
    expect(floats.message).toContain('only ubyte');
  });

  it('reports truncation as expected vs got bytes', () => {
    expect(corruptError(() => parseIdx(new Uint8Array([0, 0]), 'f')).message).toContain('got 2');
    const header = corruptError(() => parseIdx(idxBytes(0x803, [5, 2, 2], []).subarray(0, 10), 'f'));
    expect(header.message).toContain('expected at least 16 bytes of IDX header, got 10');
    const data = corruptError(() => parseIdx(idxBytes(0x803, [5, 2, 2], new Array(19).fill(1)), 'imgs'));
    expect(data.message).toMatch(/truncated: expected 36 bytes .*got 35/);
  });

  it('rejects trailing bytes', () => {
    const err = corruptError(() => parseIdx(idxBytes(0x801, [2], [1, 2, 3]), 'f'));
    expect(err.message).toContain('trailing');
  });
});
