import {
  CheckpointStorageError,
  checkCheckpointTables,
  createPool,
  deleteCheckpoints,
  isTransientDatabaseError,
  type Pool,
  readCheckpointBytes,
  redactUrl,
  writeCheckpointBytes,
} from '@satfarm/db';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.ts';
import type { CheckpointStore, CheckpointStoreOptions } from './checkpoint-store.ts';
import type { TrainerCheckpoint } from './trainer-checkpoint.ts';

/** 4 GiB: ten times a VGG16 checkpoint with Adam state (~180 MB) — anything larger is a mistake. */
export const DEFAULT_MAX_CHECKPOINT_BYTES = 4 * 1024 ** 3;

export interface PostgresCheckpointStoreOptions extends CheckpointStoreOptions {
  /** A pool to use (not closed by `close()`), or a URL to open a small one for. */
  pool?: Pool | undefined;
  databaseUrl?: string | undefined;
  /** Refuse checkpoints larger than this, with an error naming both sizes (default 4 GiB). */
  maxBytes?: number | undefined;
  /**
   * How long to keep retrying while PostgreSQL is unreachable or restarting (default 5 min), waiting
   * 0.5 s, 1 s, 2 s … up to 30 s between tries, and told about each wait (the worker logs one line).
   */
  retryForMs?: number | undefined;
  onRetry?:
    | ((report: { operation: string; trialId: string; error: string; retryInMs: number }) => void)
    | undefined;
  /**
   * How long PostgreSQL waits for this store's client inside a save before ending the session (default
   * 60 s): a worker host that dies mid-save must not hold the trial's checkpoint row, which the worker
   * taking the trial over needs, until TCP gives up on it hours later.
   */
  abandonedSaveTimeoutMs?: number | undefined;
}

/** A checkpoint larger than the store accepts. */
export class CheckpointTooLargeError extends Error {
  override readonly name = 'CheckpointTooLargeError';
}

/**
 * Checkpoints in the farm's PostgreSQL (tables `trial_checkpoints` and its chunk rows, see
 * migration 0006): machines that share the database need no shared file system for a trial to move
 * between them. The bytes are checkpoint-format.ts's, so integrity is checked the same way as for files;
 * a checkpoint that fails is reported and deleted (there is no "aside" to move a row to).
 */
export class PostgresCheckpointStore implements CheckpointStore {
  readonly removesCompleted = 'aggregator';
  readonly description: string;
  private readonly pool: Pool;
  private readonly ownPool: boolean;
  private readonly maxBytes: number;
  private readonly onCorrupt: CheckpointStoreOptions['onCorrupt'];
  private readonly retryForMs: number;
  private readonly onRetry: PostgresCheckpointStoreOptions['onRetry'];

  constructor(options: PostgresCheckpointStoreOptions) {
    if (options.pool === undefined && options.databaseUrl === undefined) {
      throw new Error('PostgresCheckpointStore: give either pool or databaseUrl');
    }
    this.ownPool = options.pool === undefined;
    // Two connections: one trial saves while another loads, at most, per trainer process.
    this.pool =
      options.pool ??
      createPool(options.databaseUrl!, {
        max: 2,
        applicationName: 'satfarm-checkpoints',
        idleInTransactionTimeoutMs: options.abandonedSaveTimeoutMs ?? 60_000,
      });
    this.description =
      options.databaseUrl === undefined ? 'PostgreSQL' : `PostgreSQL at ${redactUrl(options.databaseUrl)}`;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_CHECKPOINT_BYTES;
    this.onCorrupt = options.onCorrupt;
    this.retryForMs = options.retryForMs ?? 5 * 60_000;
    this.onRetry = options.onRetry;
  }

  /**
   * `run`, again after a back-off while the failure is one that waiting cures: a worker whose database
   * restarts or whose network drops for a while carries on instead of failing the trial's attempt.
   */
  private async retrying<T>(operation: string, trialId: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        const retryInMs = Math.min(30_000, 500 * 2 ** attempt);
        if (!isTransientDatabaseError(error) || Date.now() - started + retryInMs > this.retryForMs)
          throw error;
        this.onRetry?.({
          operation,
          trialId,
          error: error instanceof Error ? error.message : String(error),
          retryInMs,
        });
        await new Promise((resolve) => setTimeout(resolve, retryInMs));
      }
    }
  }

  async check(): Promise<void> {
    await checkCheckpointTables(this.pool);
  }

  async save(trialId: string, checkpoint: TrainerCheckpoint): Promise<void> {
    const { header, chunks } = encodeCheckpoint(trialId, checkpoint);
    const bytes = chunks.reduce((n, c) => n + c.length, header.length);
    if (bytes > this.maxBytes) {
      throw new CheckpointTooLargeError(
        `the checkpoint of trial ${trialId} (epoch ${checkpoint.epoch}) is ${mib(bytes)}, more than the ` +
          `${mib(this.maxBytes)} the PostgreSQL checkpoint store accepts; use CHECKPOINT_STORE=file:/a/shared/dir ` +
          'for models this large',
      );
    }
    await this.retrying('save', trialId, () =>
      writeCheckpointBytes(this.pool, trialId, checkpoint.epoch, [header, ...chunks]),
    );
  }

  async load(trialId: string): Promise<TrainerCheckpoint | undefined> {
    const stored = await this.retrying('load', trialId, () => readCheckpointBytes(this.pool, trialId));
    if (stored === undefined) return undefined;
    try {
      return decodeCheckpoint(trialId, stored.bytes);
    } catch (error) {
      await deleteCheckpoints(this.pool, [trialId]);
      this.onCorrupt?.({
        trialId,
        path: `postgres:trial_checkpoints/${trialId}`,
        reason: error instanceof Error ? error.message : String(error),
        movedTo: undefined,
      });
      return undefined;
    }
  }

  async remove(trialId: string): Promise<void> {
    await this.retrying('remove', trialId, () => deleteCheckpoints(this.pool, [trialId]));
  }

  async close(): Promise<void> {
    if (this.ownPool) await this.pool.end();
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

export { CheckpointStorageError };
