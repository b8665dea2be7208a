import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirTest } from '../../../test/support/temp-dir.ts';
import { loadCifar10 } from './cifar10.ts';
import { parseCifar10Batch } from './cifar10-format.ts';
import { DatasetCorruptError, DatasetNotFoundError } from './errors.ts';
import { cifarPixel, cifarRecords } from './test-fixtures.ts';

describe('parseCifar10Batch', () => {
  it('converts planar RGB records to NHWC and keeps labels', () => {
    const { images, labels, count } = parseCifar10Batch(cifarRecords([3, 0, 9]), 'b');
    expect(count).toBe(3);
    expect([...labels]).toEqual([3, 0, 9]);
    expect(images.length).toBe(3 * 32 * 32 * 3);
    for (const [n, y, x] of [
      [0, 0, 0],
      [1, 0, 1],
      [2, 1, 0],
      [2, 31, 31],
      [1, 17, 5],
    ] as const) {
      const p = y * 32 + x;
      const at = n * 3072 + p * 3;
      expect([images[at], images[at + 1], images[at + 2]]).toEqual(cifarPixel(n, p));
    }
  });

  it('rejects lengths that are not whole records, naming the file', () => {
    const bytes = cifarRecords([1, 2]);
    for (const bad of [bytes.subarray(0, 3073 + 100), new Uint8Array(0)]) {
      expect(() => parseCifar10Batch(bad, 'data_batch_1.bin')).toThrow(DatasetCorruptError);
    }
    expect(() => parseCifar10Batch(bytes.subarray(0, 5000), 'data_batch_1.bin')).toThrow(
      /'data_batch_1\.bin' is corrupt: length 5000 bytes is not a positive multiple of 3073/,
    );
  });

  it('rejects labels above 9', () => {
    expect(() => parseCifar10Batch(cifarRecords([1, 10]), 'x')).toThrow(/record 1 has label 10/);
  });
});

describe('loadCifar10', () => {
  async function writeBatches(dir: string): Promise<void> {
    // Batches 1 and 3 only: "whichever exist", in numeric order.
    await writeFile(join(dir, 'data_batch_1.bin'), cifarRecords([3, 1, 4], 0));
    await writeFile(join(dir, 'data_batch_3.bin'), cifarRecords([5, 9], 3));
    await writeFile(join(dir, 'test_batch.bin'), cifarRecords([2, 6], 10));
  }

  tempDirTest('concatenates the batches that exist, scaled to [0, 1] NHWC', async ({ dir }) => {
    await writeBatches(dir);
    const ds = await loadCifar10({ dir });
    expect([ds.name, ds.height, ds.width, ds.channels, ds.classes]).toEqual(['cifar10', 32, 32, 3, 10]);
    expect(ds.classNames[0]).toBe('airplane');
    expect(ds.train.count).toBe(5);
    expect([...ds.train.labels]).toEqual([3, 1, 4, 5, 9]);
    expect([...ds.test.labels]).toEqual([2, 6]);
    expect(ds.train.images.length).toBe(5 * 3072);
    // Record 4 (second of batch 3), pixel (y 2, x 7), green.
    const p = 2 * 32 + 7;
    expect(ds.train.images[4 * 3072 + p * 3 + 1]).toBeCloseTo(cifarPixel(4, p)[1] / 255, 6);
    expect(ds.test.images[1 * 3072 + p * 3 + 2]).toBeCloseTo(cifarPixel(11, p)[2] / 255, 6);
  });

  tempDirTest('takes the first N across batch boundaries', async ({ dir }) => {
    await writeBatches(dir);
    const ds = await loadCifar10({ dir, trainLimit: 4, testLimit: 50 });
    expect([...ds.train.labels]).toEqual([3, 1, 4, 5]);
    expect(ds.train.images.length).toBe(4 * 3072);
    expect(ds.test.count).toBe(2);
  });

  tempDirTest('names the missing training batches, test batch and directory', async ({ dir }) => {
    const noDir = await loadCifar10({ dir: join(dir, 'none') }).catch((e: unknown) => e);
    expect(noDir).toBeInstanceOf(DatasetNotFoundError);
    expect((noDir as Error).message).toContain('cifar-10-batches-bin');

    await writeFile(join(dir, 'test_batch.bin'), cifarRecords([1]));
    const noTrain = await loadCifar10({ dir }).catch((e: unknown) => e);
    expect(noTrain).toBeInstanceOf(DatasetNotFoundError);
    expect((noTrain as DatasetNotFoundError).path).toBe(join(dir, 'data_batch_1.bin'));

    await rm(join(dir, 'test_batch.bin'));
    await writeFile(join(dir, 'data_batch_2.bin'), cifarRecords([1]));
    const noTest = await loadCifar10({ dir }).catch((e: unknown) => e);
    expect((noTest as DatasetNotFoundError).path).toBe(join(dir, 'test_batch.bin'));
  });

  tempDirTest('reports a truncated batch file as corrupt', async ({ dir }) => {
    await writeBatches(dir);
    await writeFile(join(dir, 'data_batch_3.bin'), cifarRecords([5, 9]).subarray(0, 4000));
    const err = await loadCifar10({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetCorruptError);
    expect((err as DatasetCorruptError).file).toBe(join(dir, 'data_batch_3.bin'));
  });
});
