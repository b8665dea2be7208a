export { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.ts';
export type { CheckpointStore, CheckpointStoreOptions, CorruptCheckpointReport } from './checkpoint-store.ts';
export {
  CheckpointDirectoryError,
  FileCheckpointStore,
  InvalidCheckpointIdError,
} from './file-checkpoint-store.ts';
export { openCheckpointStore } from './open-checkpoint-store.ts';
export {
  CheckpointStorageError,
  CheckpointTooLargeError,
  DEFAULT_MAX_CHECKPOINT_BYTES,
  PostgresCheckpointStore,
  type PostgresCheckpointStoreOptions,
} from './postgres-checkpoint-store.ts';
export {
  CHECKPOINT_STORE_EXPECTED,
  type CheckpointStoreSetting,
  CheckpointStoreSettingError,
  DEFAULT_CHECKPOINT_STORE,
  formatCheckpointStoreSetting,
  parseCheckpointStoreSetting,
} from './store-setting.ts';
export type { SerializedTensor, TrainerCheckpoint } from './trainer-checkpoint.ts';
