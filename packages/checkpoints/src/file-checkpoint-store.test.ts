import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { tempDirTest as it } from '../../../test/support/temp-dir.ts';
import { checkpoint, TRIAL } from '../test/fixtures.ts';
import type { CorruptCheckpointReport } from './checkpoint-store.ts';
import {
  CheckpointDirectoryError,
  FileCheckpointStore,
  InvalidCheckpointIdError,
} from './file-checkpoint-store.ts';

describe('FileCheckpointStore', () => {
  it('returns exactly what was saved (tensors bit for bit, history, epoch)', async ({ dir }) => {
    const store = new FileCheckpointStore(join(dir, 'nested', 'store'));
    const saved = checkpoint(3);
    await store.save(TRIAL, saved);
    const loaded = await store.load(TRIAL);
    expect(loaded).toBeDefined();
    expect(loaded!.epoch).toBe(3);
    expect(loaded!.history).toEqual(saved.history);
    expect(loaded!.weights.map((w) => [w.name, w.shape, w.dtype])).toEqual(
      saved.weights.map((w) => [w.name, w.shape, w.dtype]),
    );
    expect(loaded!.weights[0]!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(loaded!.weights[0]!.data)).toEqual(Array.from(saved.weights[0]!.data));
    expect(Object.is(loaded!.weights[1]!.data[1], -0)).toBe(true);
    expect(loaded!.weights[1]!.data[0]).toBe(Math.fround(1.4e-45));
    expect(loaded!.optimizer[0]!.data).toEqual(Int32Array.of(21));
  });

  it('replaces the previous checkpoint and leaves no temporary files', async ({ dir }) => {
    const store = new FileCheckpointStore(dir);
    await store.save(TRIAL, checkpoint(1));
    await store.save(TRIAL, checkpoint(2));
    expect((await store.load(TRIAL))!.epoch).toBe(2);
    expect(await readdir(dir)).toEqual([`${TRIAL}.ckpt`]);
  });

  it('has nothing for an unknown trial', async ({ dir }) => {
    expect(await new FileCheckpointStore(dir).load(TRIAL)).toBeUndefined();
    expect(await new FileCheckpointStore(join(dir, 'missing')).load(TRIAL)).toBeUndefined();
  });

  it('treats a flipped byte or a truncated file as missing, reports it and moves it aside', async ({
    dir,
  }) => {
    const reports: CorruptCheckpointReport[] = [];
    const store = new FileCheckpointStore(dir, { onCorrupt: (r) => reports.push(r) });
    await store.save(TRIAL, checkpoint(2));
    const path = store.pathOf(TRIAL);
    const bytes = await readFile(path);
    bytes[bytes.length - 3]! ^= 0x40;
    await writeFile(path, bytes);
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ trialId: TRIAL, path, movedTo: `${path}.corrupt` });
    expect(reports[0]!.reason).toMatch(/checksum/);
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports).toHaveLength(1);

    await store.save(TRIAL, checkpoint(2));
    await writeFile(path, (await readFile(path)).subarray(0, 40));
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports[1]!.reason).toMatch(/truncated/);

    await writeFile(path, 'not a checkpoint at all');
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports[2]!.reason).toMatch(/magic/);
  });

  it('refuses a format-1 file, whose checksum did not cover the manifest', async ({ dir }) => {
    const reports: CorruptCheckpointReport[] = [];
    const store = new FileCheckpointStore(dir, { onCorrupt: (r) => reports.push(r) });
    await store.save(TRIAL, checkpoint(1));
    const bytes = await readFile(store.pathOf(TRIAL));
    bytes[7] = 1;
    await writeFile(store.pathOf(TRIAL), bytes);
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports[0]!.reason).toMatch(/checkpoint format 1 is not read by this build/);
  });

  it('does not hand one trial the checkpoint of another', async ({ dir }) => {
    const reports: CorruptCheckpointReport[] = [];
    const store = new FileCheckpointStore(dir, { onCorrupt: (r) => reports.push(r) });
    const other = 'f'.repeat(32);
    await store.save(other, checkpoint(1));
    await writeFile(store.pathOf(TRIAL), await readFile(store.pathOf(other)));
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports[0]!.reason).toMatch(/belongs to trial/);
  });

  it('removes the checkpoint and temporary files a killed writer left behind', async ({ dir }) => {
    const store = new FileCheckpointStore(dir);
    await store.save(TRIAL, checkpoint(1));
    await writeFile(join(dir, `.${TRIAL}.999.abc.tmp`), 'partial');
    await store.remove(TRIAL);
    await store.remove(TRIAL);
    expect(await readdir(dir)).toEqual([]);
    expect(await store.load(TRIAL)).toBeUndefined();
  });

  it('names the directory when it cannot be created or written', async ({ dir }) => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const store = new FileCheckpointStore(join(file, 'checkpoints'));
    await expect(store.check()).rejects.toThrow(CheckpointDirectoryError);
    await expect(store.check()).rejects.toThrow(`'${join(file, 'checkpoints')}'`);
    await expect(store.save(TRIAL, checkpoint(1))).rejects.toThrow(/ENOTDIR/);
    await new FileCheckpointStore(dir).check();
  });

  it('fails at once, instead of spinning, under a directory that refuses children (/proc)', async () => {
    const store = new FileCheckpointStore('/proc/satfarm-no-such-dir/checkpoints');
    await expect(store.check()).rejects.toThrow(CheckpointDirectoryError);
    await expect(store.save(TRIAL, checkpoint(1))).rejects.toThrow(/ENOENT/);
  }, 10_000);

  it('refuses trial ids that are not plain file names', ({ dir }) => {
    const store = new FileCheckpointStore(dir);
    for (const id of ['../escape', '.hidden', '', 'a/b'])
      expect(() => store.pathOf(id)).toThrow(InvalidCheckpointIdError);
  });
});
