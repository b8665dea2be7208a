import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDirTest } from '../../../test/support/temp-dir.ts';
import {
  DatasetCorruptError,
  DatasetCountMismatchError,
  DatasetNotFoundError,
  InvalidDatasetOptionError,
} from './errors.ts';
import { DEFAULT_FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.ts';
import { idxBytes } from './test-fixtures.ts';

describe('loadFashionMnist on the installed dataset', () => {
  it('loads 60000/10000 28×28 images in [0, 1] with balanced labels and known pixels', async () => {
    const ds = await loadFashionMnist({ dir: DEFAULT_FASHION_MNIST_DIR });
    expect([ds.name, ds.height, ds.width, ds.channels, ds.classes]).toEqual(['fashion-mnist', 28, 28, 1, 10]);
    expect(ds.classNames[9]).toBe('Ankle boot');
    expect(ds.train.count).toBe(60000);
    expect(ds.test.count).toBe(10000);
    expect(ds.train.images.length).toBe(60000 * 784);
    expect(ds.test.images.length).toBe(10000 * 784);

    const histogram = (labels: Int32Array) => {
      const h = new Array(10).fill(0);
      for (const l of labels) h[l]++;
      return h;
    };
    expect(histogram(ds.train.labels)).toEqual(new Array(10).fill(6000));
    expect(histogram(ds.test.labels)).toEqual(new Array(10).fill(1000));
    expect([...ds.train.labels.subarray(0, 5)]).toEqual([9, 0, 0, 3, 0]);
    expect([...ds.test.labels.subarray(0, 5)]).toEqual([9, 2, 1, 1, 6]);

    // Sums of the raw bytes (computed once from the .gz files with zlib): pins the exact pixels.
    const byteSum = (x: Float32Array) => {
      let s = 0;
      let min = 1;
      let max = 0;
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        s += Math.round(v * 255);
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return { s, min, max };
    };
    expect(byteSum(ds.train.images)).toEqual({ s: 3431114169, min: 0, max: 1 });
    expect(byteSum(ds.test.images).s).toBe(573469082);
    expect(byteSum(ds.train.images.subarray(0, 784)).s).toBe(76247);
  });

  it('takes the first N examples for a limit; a limit above the split keeps it whole', async () => {
    const ds = await loadFashionMnist({
      dir: DEFAULT_FASHION_MNIST_DIR,
      trainLimit: 100,
      testLimit: 10 ** 9,
    });
    expect(ds.train.count).toBe(100);
    expect(ds.train.images.length).toBe(100 * 784);
    expect(ds.train.labels.length).toBe(100);
    expect([...ds.train.labels.subarray(0, 5)]).toEqual([9, 0, 0, 3, 0]);
    expect(ds.test.count).toBe(10000);
  });
});

describe('loadFashionMnist errors', () => {
  const images = (n: number, side = 2) =>
    idxBytes(0x803, [n, side, side], new Array(n * side * side).fill(255));
  const labels = (n: number, value = 1) => idxBytes(0x801, [n], new Array(n).fill(value));
  async function writeSet(dir: string, files: Record<string, Uint8Array>, gz = true): Promise<void> {
    for (const [name, bytes] of Object.entries(files)) {
      await writeFile(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
    }
  }
  const valid = () => ({
    'train-images-idx3-ubyte': images(3),
    'train-labels-idx1-ubyte': labels(3),
    't10k-images-idx3-ubyte': images(2),
    't10k-labels-idx1-ubyte': labels(2),
  });

  tempDirTest('loads a small valid set, gzipped or unpacked', async ({ dir }) => {
    await writeSet(dir, valid());
    const ds = await loadFashionMnist({ dir });
    expect([ds.height, ds.width, ds.train.count, ds.test.count]).toEqual([2, 2, 3, 2]);
    expect([...ds.train.images]).toEqual(new Array(12).fill(1));
    const unpacked = join(dir, 'unpacked');
    await mkdir(unpacked);
    await writeSet(unpacked, valid(), false);
    expect((await loadFashionMnist({ dir: unpacked })).test.count).toBe(2);
  });

  tempDirTest('names a missing directory and how to get the data', async ({ dir }) => {
    const missing = join(dir, 'nope');
    const err = await loadFashionMnist({ dir: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect((err as Error).message).toContain(missing);
    expect((err as Error).message).toContain(
      "install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR",
    );
  });

  tempDirTest('names a missing file', async ({ dir }) => {
    const files = valid();
    delete (files as Partial<typeof files>)['t10k-labels-idx1-ubyte'];
    await writeSet(dir, files);
    const err = await loadFashionMnist({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect((err as DatasetNotFoundError).path).toBe(join(dir, 't10k-labels-idx1-ubyte.gz'));
  });

  tempDirTest('reports a truncated .gz as corrupt, naming the file', async ({ dir }) => {
    await writeSet(dir, valid());
    const path = join(dir, 'train-images-idx3-ubyte.gz');
    const gz = gzipSync(images(3));
    await writeFile(path, gz.subarray(0, gz.length - 12));
    const err = await loadFashionMnist({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetCorruptError);
    expect((err as DatasetCorruptError).file).toBe(path);
    expect((err as Error).message).toContain('gunzip failed');
  });

  tempDirTest('reports swapped files as wrong magic and truncated IDX as truncated', async ({ dir }) => {
    await writeSet(dir, { ...valid(), 'train-labels-idx1-ubyte': images(3) });
    const magic = await loadFashionMnist({ dir }).catch((e: unknown) => e);
    expect(magic).toBeInstanceOf(DatasetCorruptError);
    expect((magic as Error).message).toMatch(
      /train-labels-idx1-ubyte\.gz.*found 0x00000803, expected 0x00000801/,
    );

    await writeSet(dir, { ...valid(), 't10k-images-idx3-ubyte': images(2).subarray(0, 20) });
    const truncated = await loadFashionMnist({ dir }).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(DatasetCorruptError);
    expect((truncated as Error).message).toMatch(/t10k-images.*expected 24 bytes .*got 20/);
  });

  tempDirTest('reports an image/label count mismatch naming both files', async ({ dir }) => {
    await writeSet(dir, { ...valid(), 'train-labels-idx1-ubyte': labels(4) });
    const err = await loadFashionMnist({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetCountMismatchError);
    expect((err as Error).message).toMatch(
      /train-images-idx3-ubyte\.gz' holds 3 images.*train-labels.*4 labels/,
    );
  });

  tempDirTest('rejects labels outside 0..9', async ({ dir }) => {
    await writeSet(dir, { ...valid(), 't10k-labels-idx1-ubyte': labels(2, 10) });
    const err = await loadFashionMnist({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetCorruptError);
    expect((err as Error).message).toContain('label 10 at index 0');
  });

  tempDirTest('rejects limits ≤ 0 or fractional before reading anything', async ({ dir }) => {
    for (const bad of [0, -5, 1.5]) {
      const err = await loadFashionMnist({ dir: join(dir, 'missing'), trainLimit: bad }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidDatasetOptionError);
      expect((err as Error).message).toContain(`trainLimit '${bad}'`);
    }
    const err = await loadFashionMnist({ dir, testLimit: 0 }).catch((e: unknown) => e);
    expect((err as InvalidDatasetOptionError).field).toBe('testLimit');
  });
});
