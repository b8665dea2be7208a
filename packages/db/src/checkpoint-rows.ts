import type { Pool, PoolClient } from 'pg';
import { withClient, withTransaction } from './connection.ts';

/** Bytes per chunk row, and chunk rows per SELECT: 4 MiB rows, at most 32 MiB in flight per read. */
export const CHECKPOINT_CHUNK_BYTES = 4 * 1024 * 1024;
const CHUNKS_PER_STATEMENT = 8;

/** PostgreSQL could not store a checkpoint: out of disk space (53100) or another storage error. */
export class CheckpointStorageError extends Error {
  override readonly name = 'CheckpointStorageError';
}

export interface CheckpointHeader {
  trialId: string;
  epoch: number;
  bytes: number;
  chunks: number;
  savedAt: Date;
}

/**
 * Replaces a trial's checkpoint with `pieces` (the bytes in order, any sizes) in one transaction, so a
 * reader sees the whole old or the whole new one. The header row is written first: it locks the trial's
 * checkpoint, so two writers of one trial take turns instead of interleaving chunks. Pieces are cut into
 * fixed-size chunk rows as they stream by (views, copied only where a chunk spans two pieces).
 */
export async function writeCheckpointBytes(
  pool: Pool,
  trialId: string,
  epoch: number,
  pieces: Iterable<Uint8Array>,
): Promise<CheckpointHeader> {
  try {
    return await withTransaction(pool, async (client) => {
      await client.query(
        `INSERT INTO trial_checkpoints (trial_id, epoch, bytes, chunks) VALUES ($1, $2, 0, 0)
         ON CONFLICT (trial_id) DO UPDATE SET epoch = EXCLUDED.epoch`,
        [trialId, epoch],
      );
      await client.query('DELETE FROM satfarm_private.checkpoint_chunks WHERE trial_id = $1', [trialId]);
      let seq = 0;
      let bytes = 0;
      for (const chunk of chunksOf(pieces, CHECKPOINT_CHUNK_BYTES)) {
        // One row per statement, the chunk as its own parameter: node-postgres sends a Buffer in binary,
        // where inside an array it would go as a hex string (twice the bytes, and slow to build and parse).
        await client.query(
          'INSERT INTO satfarm_private.checkpoint_chunks (trial_id, seq, data) VALUES ($1, $2, $3)',
          [trialId, seq, chunk],
        );
        seq += 1;
        bytes += chunk.length;
      }
      const { rows } = await client.query<{ saved_at: Date }>(
        `UPDATE trial_checkpoints SET bytes = $2, chunks = $3, saved_at = now() WHERE trial_id = $1
         RETURNING saved_at`,
        [trialId, bytes, seq],
      );
      return { trialId, epoch, bytes, chunks: seq, savedAt: rows[0]!.saved_at };
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '53100') {
      throw new CheckpointStorageError(
        `PostgreSQL is out of disk space: the checkpoint of trial ${trialId} (epoch ${epoch}) was not ` +
          'saved and the previous one is kept; free space on the database server, or remove the ' +
          'checkpoints of finished sweeps (docs/operations.md, "Checkpoints")',
        { cause: error },
      );
    }
    throw error;
  }
}

/** Fixed-size chunks of a stream of byte pieces; the last one may be shorter. */
function* chunksOf(pieces: Iterable<Uint8Array>, size: number): Generator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for (const piece of pieces) {
    let view = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (view.length > 0) {
      const take = Math.min(size - pendingBytes, view.length);
      if (pendingBytes === 0 && take === size) {
        yield view.subarray(0, take);
      } else {
        pending.push(view.subarray(0, take));
        pendingBytes += take;
        if (pendingBytes === size) {
          yield Buffer.concat(pending, size);
          pending = [];
          pendingBytes = 0;
        }
      }
      view = view.subarray(take);
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/**
 * A trial's checkpoint bytes, read in one snapshot (REPEATABLE READ) so a concurrent save cannot mix
 * two checkpoints; undefined when it has none. The result is one buffer of its own, filled chunk by
 * chunk: the checkpoint is held once, not once in rows and again joined.
 */
export async function readCheckpointBytes(
  pool: Pool,
  trialId: string,
): Promise<{ header: CheckpointHeader; bytes: Buffer } | undefined> {
  return withTransaction(
    pool,
    async (client) => {
      const head = await client.query<{ epoch: number; bytes: string; chunks: number; saved_at: Date }>(
        'SELECT epoch, bytes, chunks, saved_at FROM trial_checkpoints WHERE trial_id = $1',
        [trialId],
      );
      const row = head.rows[0];
      if (row === undefined) return undefined;
      const header = {
        trialId,
        epoch: row.epoch,
        bytes: Number(row.bytes),
        chunks: row.chunks,
        savedAt: row.saved_at,
      };
      // Its own ArrayBuffer at offset 0, so that tensors can be aligned views into it.
      const bytes = Buffer.from(new ArrayBuffer(header.bytes));
      let filled = 0;
      for (let from = 0; from < header.chunks; from += CHUNKS_PER_STATEMENT) {
        const { rows } = await client.query<{ data: Buffer }>(
          `SELECT data FROM satfarm_private.checkpoint_chunks
            WHERE trial_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq`,
          [trialId, from, from + CHUNKS_PER_STATEMENT],
        );
        for (const chunk of rows) {
          if (filled + chunk.data.length > bytes.length) {
            throw new Error(
              `checkpoint of trial ${trialId} has more bytes than its header's ${header.bytes}`,
            );
          }
          chunk.data.copy(bytes, filled);
          filled += chunk.data.length;
        }
      }
      // A short read is left to the format's checksum to report (it then counts as corrupt).
      return { header, bytes: filled === bytes.length ? bytes : bytes.subarray(0, filled) };
    },
    { readOnly: true, repeatableRead: true },
  );
}

/** Removes the checkpoints of these trials (chunks go with their header). Returns how many there were. */
export async function deleteCheckpoints(db: Pool | PoolClient, trialIds: readonly string[]): Promise<number> {
  if (trialIds.length === 0) return 0;
  const res = await db.query('DELETE FROM trial_checkpoints WHERE trial_id = ANY($1::text[])', [
    [...trialIds],
  ]);
  return res.rowCount ?? 0;
}

/** Fails with a clear message unless the checkpoint tables exist (`satfarm db migrate` creates them). */
export async function checkCheckpointTables(pool: Pool): Promise<void> {
  const { rows } = await withClient(pool, (client) =>
    client.query<{ ok: boolean }>(
      `SELECT to_regclass('public.trial_checkpoints') IS NOT NULL
        AND to_regclass('satfarm_private.checkpoint_chunks') IS NOT NULL AS ok`,
    ),
  );
  if (rows[0]?.ok !== true) {
    throw new CheckpointStorageError(
      'the database has no checkpoint tables: run `satfarm db migrate` against DATABASE_URL first ' +
        '(or choose CHECKPOINT_STORE=file:/a/shared/dir)',
    );
  }
}
