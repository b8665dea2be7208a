import { type Pool, CHECKPOINT_CHUNK_BYTES } from '@satfarm/db';
import { createTestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { describe, expect } from 'vitest';
import {
  CheckpointStorageError,
  CheckpointTooLargeError,
  PostgresCheckpointStore,
} from '../src/postgres-checkpoint-store.ts';
import type { TrainerCheckpoint } from '../src/trainer-checkpoint.ts';
import { startTcpForwarder } from '../../../test/support/tcp-forwarder.ts';
import { waitFor } from '../../../test/support/wait-for.ts';
import { checkpoint, TRIAL } from './fixtures.ts';
it.beforeEach(async ({ db }) => {
  await db.pool.query('DELETE FROM trial_checkpoints');
});

/** A checkpoint of about `mib` MiB: one big weight tensor whose values tell where they came from. */
function large(epoch: number, mib: number): TrainerCheckpoint {
  const base = checkpoint(epoch);
  const n = (mib * 1024 * 1024) / 4;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = epoch * 1e6 + (i % 1_000_003);
  return { ...base, weights: [...base.weights, { name: 'big/kernel', shape: [n], dtype: 'float32', data }] };
}

const header = async (pool: Pool) =>
  (
    await pool.query<{ epoch: number; bytes: string; chunks: number }>(
      'SELECT epoch, bytes, chunks FROM trial_checkpoints WHERE trial_id = $1',
      [TRIAL],
    )
  ).rows[0];

describe('PostgresCheckpointStore', () => {
  it('stores a checkpoint larger than a chunk in numbered rows and reads it back whole', async ({ db }) => {
    const store = new PostgresCheckpointStore({ pool: db.pool });
    const saved = large(2, 9);
    await store.save(TRIAL, saved);
    const head = (await header(db.pool))!;
    expect(head.epoch).toBe(2);
    expect(head.chunks).toBe(Math.ceil(Number(head.bytes) / CHECKPOINT_CHUNK_BYTES));
    expect(head.chunks).toBeGreaterThanOrEqual(3);
    const loaded = (await store.load(TRIAL))!;
    const big = loaded.weights.at(-1)!;
    const bytesOf = (t: Float32Array | Int32Array) => Buffer.from(t.buffer, t.byteOffset, t.byteLength);
    // Compared as bytes: a deep equality over 2.4 M numbers takes vitest seconds.
    expect(bytesOf(big.data).equals(bytesOf(saved.weights.at(-1)!.data))).toBe(true);
    // A view into the one buffer it was read into, not a second copy.
    expect(big.data.buffer.byteLength).toBe(Number(head.bytes));
  });

  it('lets a reader see the old or the new checkpoint while one is written, never a mix', async ({ db }) => {
    const store = new PostgresCheckpointStore({ pool: db.pool });
    // Over 8 chunks (read in several statements), and a different size each time.
    const mib = (epoch: number) => 33 + 2 * epoch;
    await store.save(TRIAL, large(1, mib(1)));
    const epochs = new Set<number>();
    let writing = true;
    const writer = (async () => {
      for (let epoch = 2; epoch <= 4; epoch++) await store.save(TRIAL, large(epoch, mib(epoch)));
      writing = false;
    })();
    while (writing) {
      const loaded = await store.load(TRIAL);
      expect(loaded).toBeDefined();
      const big = loaded!.weights.at(-1)!.data;
      // Every value of the big tensor belongs to the same save as the manifest's epoch.
      expect([big[0], big[big.length - 1]!]).toEqual([
        loaded!.epoch * 1e6,
        loaded!.epoch * 1e6 + ((big.length - 1) % 1_000_003),
      ]);
      epochs.add(loaded!.epoch);
    }
    await writer;
    expect((await store.load(TRIAL))!.epoch).toBe(4);
    expect(epochs.size).toBeGreaterThanOrEqual(1);
  });

  it('refuses a checkpoint over its size limit, naming both sizes, and keeps the previous one', async ({
    db,
  }) => {
    const store = new PostgresCheckpointStore({ pool: db.pool, maxBytes: 2 * 1024 * 1024 });
    await store.save(TRIAL, checkpoint(1));
    const error = await store.save(TRIAL, large(2, 3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointTooLargeError);
    expect((error as Error).message).toMatch(
      /checkpoint of trial [0-9a-f]{32} \(epoch 2\) is 3\.0 MiB, more than the 2\.0 MiB .*CHECKPOINT_STORE=file:/,
    );
    expect((await store.load(TRIAL))!.epoch).toBe(1);
  });

  it('reports a full disk in one clear error and keeps the previous checkpoint', async ({ db }) => {
    const store = new PostgresCheckpointStore({ pool: db.pool });
    await store.save(TRIAL, checkpoint(1));
    // What PostgreSQL raises when it cannot extend a file (SQLSTATE 53100 disk_full), on the chunk rows.
    await db.pool.query(`
      CREATE FUNCTION pg_temp_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$;
      CREATE TRIGGER disk_full BEFORE INSERT ON satfarm_private.checkpoint_chunks
        FOR EACH ROW EXECUTE FUNCTION pg_temp_full();`);
    try {
      const error = await store.save(TRIAL, checkpoint(2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointStorageError);
      expect((error as Error).message).toMatch(
        /^PostgreSQL is out of disk space: the checkpoint of trial [0-9a-f]{32} \(epoch 2\) was not saved and the previous one is kept/,
      );
    } finally {
      await db.pool.query(
        `DROP TRIGGER disk_full ON satfarm_private.checkpoint_chunks; DROP FUNCTION pg_temp_full()`,
      );
    }
    expect((await store.load(TRIAL))!.epoch).toBe(1);
  });

  it('waits for PostgreSQL to come back (one line per retry, naming host and port) instead of failing', async ({
    db,
  }) => {
    // A forwarder to the test database, closed for now (nobody listens on its port) and reopened later.
    const forwarder = await startTcpForwarder({
      listenHost: '127.0.0.1',
      target: { host: '127.0.0.1', port: 5432 },
    });
    await forwarder.close();
    const port = forwarder.port;
    const url = new URL(db.url);
    url.host = `127.0.0.1:${port}`;
    const retries: { operation: string; error: string; retryInMs: number }[] = [];
    const store = new PostgresCheckpointStore({
      databaseUrl: url.toString(),
      onRetry: (r) => retries.push(r),
    });
    try {
      const saving = store.save(TRIAL, checkpoint(1));
      await waitFor('two retries', () => (retries.length >= 2 ? true : undefined), 20_000);
      await forwarder.reopen();
      await saving;
      expect(retries[0]).toMatchObject({ operation: 'save', retryInMs: 500 });
      expect(retries[0]!.error).toMatch(
        new RegExp(`cannot connect to PostgreSQL at postgres://127\\.0\\.0\\.1:${port}/.*ECONNREFUSED`),
      );
      expect(retries[1]!.retryInMs).toBe(1000);
      expect((await new PostgresCheckpointStore({ pool: db.pool }).load(TRIAL))?.epoch).toBe(1);
    } finally {
      await store.close();
      await forwarder.close();
    }
  });

  it('gives up after its retry window with the unreachable error, and never retries a refused statement', async () => {
    const store = new PostgresCheckpointStore({
      databaseUrl: 'postgres://127.0.0.1:1/satfarm',
      retryForMs: 1_200,
    });
    try {
      await expect(store.save(TRIAL, checkpoint(1))).rejects.toThrow(
        /cannot connect to PostgreSQL at postgres:\/\/127\.0\.0\.1:1\//,
      );
    } finally {
      await store.close();
    }
    const retries: unknown[] = [];
    const bare = await createTestDatabase(undefined, { empty: true });
    const noTables = new PostgresCheckpointStore({ pool: bare.pool, onRetry: (r) => retries.push(r) });
    try {
      await expect(noTables.save(TRIAL, checkpoint(1))).rejects.toThrow(/trial_checkpoints/);
      expect(retries).toEqual([]);
    } finally {
      await bare.drop();
    }
  });

  it('does not let a worker that died mid-save block the one taking its trial over', async ({ db }) => {
    // The dead worker: its store's session holds the trial's checkpoint row inside an unfinished save,
    // and its client never speaks again (the host lost power; TCP would notice in about two hours).
    const dead = new PostgresCheckpointStore({ databaseUrl: db.url, abandonedSaveTimeoutMs: 1_000 });
    await dead.save(TRIAL, checkpoint(1));
    const deadPool = (dead as unknown as { pool: import('@satfarm/db').Pool }).pool;
    const stuck = await deadPool.connect();
    stuck.on('error', () => {});
    await stuck.query('BEGIN');
    await stuck.query('UPDATE trial_checkpoints SET epoch = epoch WHERE trial_id = $1', [TRIAL]);
    try {
      const started = Date.now();
      const store = new PostgresCheckpointStore({ pool: db.pool });
      const saved = store.save(TRIAL, checkpoint(2)).then(() => Date.now() - started);
      const waitedMs = await Promise.race([
        saved,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('still blocked after 15 s')), 15_000),
        ),
      ]);
      // Ended by the server after the dead session's 1 s timeout, not by its client.
      expect(waitedMs).toBeGreaterThanOrEqual(900);
      expect((await store.load(TRIAL))!.epoch).toBe(2);
    } finally {
      stuck.release(true);
      await dead.close();
    }
  });

  it('says to migrate when the database has no checkpoint tables', async () => {
    const bare = await createTestDatabase(undefined, { empty: true });
    try {
      const store = new PostgresCheckpointStore({ pool: bare.pool });
      await expect(store.check()).rejects.toThrow(/no checkpoint tables: run `satfarm db migrate`/);
    } finally {
      await bare.drop();
    }
  });
});
