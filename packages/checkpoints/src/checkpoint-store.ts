import type { TrainerCheckpoint } from './trainer-checkpoint.ts';

/** What `load` found wrong with a checkpoint it then ignored (moved aside to `movedTo`, or deleted). */
export interface CorruptCheckpointReport {
  trialId: string;
  /** Where it was: a file path, or `postgres:trial_checkpoints/<trial id>`. */
  path: string;
  reason: string;
  movedTo: string | undefined;
}

/**
 * Where a worker keeps each trial's newest checkpoint. Every store gives the same guarantees (tested by
 * one shared contract): a reader sees a whole checkpoint or none, a damaged or edited one is reported
 * and treated as missing, and `save` replaces the previous one.
 */
export interface CheckpointStore {
  /** One line for logs and errors: which store, where. Never contains a password. */
  readonly description: string;
  /**
   * Who removes a completed trial's checkpoint: the worker right after publishing `completed`, or the
   * aggregator in the transaction that records it (the PostgreSQL store: so that until that commit a
   * resume after Redis lost the results replays the checkpoint instead of training again).
   */
  readonly removesCompleted: 'worker' | 'aggregator';
  /** Proves the store usable (creates what it needs); call at start-up to fail before taking work. */
  check(): Promise<void>;
  save(trialId: string, checkpoint: TrainerCheckpoint): Promise<void>;
  /** The trial's checkpoint, or undefined when there is none or it is unreadable (reported). */
  load(trialId: string): Promise<TrainerCheckpoint | undefined>;
  remove(trialId: string): Promise<void>;
  /** Releases connections (a no-op for files). */
  close(): Promise<void>;
}

export interface CheckpointStoreOptions {
  /** Told about every corrupt checkpoint `load` skipped (the worker logs it). */
  onCorrupt?: ((report: CorruptCheckpointReport) => void) | undefined;
}
