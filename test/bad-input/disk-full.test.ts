/**
 * A full disk under CHECKPOINT_DIR: saving fails with ENOSPC naming the directory, leaves neither a
 * torn checkpoint nor a temporary file, and the trial's previous checkpoint stays readable. Needs a
 * tiny tmpfs, so it runs only where this process may mount one (root with CAP_SYS_ADMIN).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpointStore, type TrainerCheckpoint } from '@satfarm/checkpoints';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TRIAL = 'fedcba9876543210fedcba9876543210';

function checkpoint(epoch: number, floats: number): TrainerCheckpoint {
  return {
    epoch,
    weights: [{ name: 'w', shape: [floats], dtype: 'float32', data: new Float32Array(floats).fill(epoch) }],
    optimizer: [],
    // A history of 1..epoch, as a trainer writes it (a checkpoint with another is refused on load).
    history: Array.from({ length: epoch }, (_, i) => ({
      epoch: i + 1,
      trainLoss: 1,
      trainAccuracy: 0.5,
      testLoss: 1,
      testAccuracy: 0.5,
      seconds: 1,
      backend: 'wasm',
      layers: [],
    })),
  };
}

let dir: string | undefined;
let mounted = false;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-disk-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    // Not allowed here (no root or no CAP_SYS_ADMIN): the test is skipped.
  }
});
afterAll(async () => {
  if (dir === undefined) return;
  if (mounted) execFileSync('umount', [dir], { stdio: 'ignore' });
  await rm(dir, { recursive: true, force: true });
});

describe('a full checkpoint disk', () => {
  it('fails the save with ENOSPC and keeps the previous checkpoint whole', async (ctx) => {
    if (!mounted) ctx.skip();
    const store = new FileCheckpointStore(dir!);
    await store.save(TRIAL, checkpoint(1, 2_000));
    // 400 kB into a 64 kB file system: the write comes up short, then fails.
    const error = await store.save(TRIAL, checkpoint(2, 100_000)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CheckpointDirectoryError' });
    expect((error as Error).message).toMatch(
      /checkpoint directory '.*' is not usable: writing .* failed \(ENOSPC\)/,
    );
    expect(await readdir(dir!)).toEqual([`${TRIAL}.ckpt`]);
    expect((await store.load(TRIAL))?.epoch).toBe(1);
  });
});
