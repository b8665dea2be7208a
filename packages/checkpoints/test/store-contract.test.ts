/**
 * One contract, both stores: whatever CHECKPOINT_STORE says, a worker gets back exactly what it saved,
 * never a mix of two saves, and never a checkpoint that was damaged, edited or written for another
 * trial (those are reported and treated as missing).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpointBytes, writeCheckpointBytes } from '@satfarm/db';
import type { TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { describe, expect } from 'vitest';
import type { CheckpointStore, CorruptCheckpointReport } from '../src/checkpoint-store.ts';
import { FileCheckpointStore } from '../src/file-checkpoint-store.ts';
import { PostgresCheckpointStore } from '../src/postgres-checkpoint-store.ts';
import { checkpoint, epochResult, TRIAL } from './fixtures.ts';

interface Harness {
  store(onCorrupt?: (r: CorruptCheckpointReport) => void): CheckpointStore;
  /** Rewrites the stored bytes of a trial's checkpoint as `edit` says (a damaged disk or a hand edit). */
  tamper(trialId: string, edit: (bytes: Buffer) => Buffer): Promise<void>;
  /** Puts trial `from`'s stored checkpoint under trial `to`'s name. */
  copy(from: string, to: string): Promise<void>;
}

let dir: string;
it.beforeEach(async ({ db }) => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-ckpt-contract-'));
  await db.pool.query('DELETE FROM trial_checkpoints');
  return () => rm(dir, { recursive: true, force: true });
});

const file = (): Harness => ({
  store: (onCorrupt) => new FileCheckpointStore(dir, { onCorrupt }),
  async tamper(trialId, edit) {
    const path = new FileCheckpointStore(dir).pathOf(trialId);
    await writeFile(path, edit(await readFile(path)));
  },
  async copy(from, to) {
    const store = new FileCheckpointStore(dir);
    await writeFile(store.pathOf(to), await readFile(store.pathOf(from)));
  },
});

const postgres = (db: TestDatabase): Harness => ({
  store: (onCorrupt) => new PostgresCheckpointStore({ pool: db.pool, onCorrupt }),
  async tamper(trialId, edit) {
    const stored = (await readCheckpointBytes(db.pool, trialId))!;
    await writeCheckpointBytes(db.pool, trialId, stored.header.epoch, [edit(stored.bytes)]);
  },
  async copy(from, to) {
    const stored = (await readCheckpointBytes(db.pool, from))!;
    await writeCheckpointBytes(db.pool, to, stored.header.epoch, [stored.bytes]);
  },
});

describe.each([
  ['file', file],
  ['postgres', postgres],
] as const)('checkpoint store contract: %s', (_, harness) => {
  it('returns exactly what was saved (tensors bit for bit, history, epoch), and the newest save', async ({
    db,
  }) => {
    const h = harness(db);
    const store = h.store();
    await store.check();
    expect(await store.load(TRIAL)).toBeUndefined();
    await store.save(TRIAL, checkpoint(1));
    const saved = checkpoint(3);
    await store.save(TRIAL, saved);
    const loaded = (await store.load(TRIAL))!;
    expect(loaded.epoch).toBe(3);
    expect(loaded.history).toEqual(saved.history);
    expect(loaded.weights.map((w) => [w.name, w.shape, w.dtype])).toEqual(
      saved.weights.map((w) => [w.name, w.shape, w.dtype]),
    );
    expect(Array.from(loaded.weights[0]!.data)).toEqual(Array.from(saved.weights[0]!.data));
    expect(Object.is(loaded.weights[1]!.data[1], -0)).toBe(true);
    expect(loaded.weights[1]!.data[0]).toBe(Math.fround(1.4e-45));
    expect(loaded.optimizer[0]!.data).toEqual(Int32Array.of(21));
    await store.remove(TRIAL);
    await store.remove(TRIAL);
    expect(await store.load(TRIAL)).toBeUndefined();
    await store.close();
  });

  it('treats a flipped byte, a truncated checkpoint and a hand-edited manifest as missing, and reports each', async ({
    db,
  }) => {
    const h = harness(db);
    const reports: CorruptCheckpointReport[] = [];
    const store = h.store((r) => reports.push(r));
    const cases: [string, (b: Buffer) => Buffer, RegExp][] = [
      ['flipped tensor byte', (b) => flip(b, b.length - 3), /checksum mismatch/],
      ['truncated', (b) => b.subarray(0, 40), /truncated/],
      // Same-length edits of the manifest: only the checksum can tell.
      ['faked metric', (b) => replace(b, '"testAccuracy":0.6', '"testAccuracy":0.9'), /checksum mismatch/],
      ['epoch raised', (b) => replace(b, '"epoch":2,"savedAt"', '"epoch":3,"savedAt"'), /checksum mismatch/],
      ['not a checkpoint', () => Buffer.from('not a checkpoint at all'), /magic/],
    ];
    for (const [what, edit, reason] of cases) {
      await store.save(TRIAL, checkpoint(2));
      await h.tamper(TRIAL, edit);
      expect(await store.load(TRIAL), what).toBeUndefined();
      expect(reports.at(-1)?.reason, what).toMatch(reason);
      expect(reports.at(-1)?.trialId).toBe(TRIAL);
      // Reported once: afterwards it is gone (moved aside or deleted).
      expect(await store.load(TRIAL), what).toBeUndefined();
    }
    expect(reports).toHaveLength(cases.length);
  });

  it('never replays a history that does not run 1..epoch, even with a valid checksum', async ({ db }) => {
    const h = harness(db);
    const reports: CorruptCheckpointReport[] = [];
    const store = h.store((r) => reports.push(r));
    await store.save(TRIAL, { ...checkpoint(2), epoch: 3 });
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports.at(-1)!.reason).toMatch(/history holds epochs \[1, 2\], expected 1\.\.3/);
    await store.save(TRIAL, { ...checkpoint(2), history: [epochResult(1), epochResult(1)] });
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports.at(-1)!.reason).toMatch(/history holds epochs \[1, 1\], expected 1\.\.2/);
  });

  it('does not hand one trial the checkpoint of another', async ({ db }) => {
    const h = harness(db);
    const reports: CorruptCheckpointReport[] = [];
    const store = h.store((r) => reports.push(r));
    const other = 'f'.repeat(32);
    await store.save(other, checkpoint(1));
    await h.copy(other, TRIAL);
    expect(await store.load(TRIAL)).toBeUndefined();
    expect(reports[0]!.reason).toMatch(/belongs to trial/);
    expect((await store.load(other))?.epoch).toBe(1);
  });
});

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at]! ^= 0x40;
  return copy;
}

function replace(bytes: Buffer, from: string, to: string): Buffer {
  const text = bytes.toString('latin1');
  if (!text.includes(from)) throw new Error(`the checkpoint does not contain ${from}`);
  return Buffer.from(text.replace(from, to), 'latin1');
}
