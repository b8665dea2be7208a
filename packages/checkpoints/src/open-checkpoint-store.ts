import type { CheckpointStore, CheckpointStoreOptions } from './checkpoint-store.ts';
import { FileCheckpointStore } from './file-checkpoint-store.ts';
import { PostgresCheckpointStore, type PostgresCheckpointStoreOptions } from './postgres-checkpoint-store.ts';
import type { CheckpointStoreSetting } from './store-setting.ts';

/** The store a setting names; `databaseUrl` is the farm's database (used by the postgres store). */
export function openCheckpointStore(
  setting: CheckpointStoreSetting,
  options: CheckpointStoreOptions &
    Pick<PostgresCheckpointStoreOptions, 'onRetry' | 'retryForMs'> & { databaseUrl: string },
): CheckpointStore {
  return setting.kind === 'postgres'
    ? new PostgresCheckpointStore(options)
    : new FileCheckpointStore(setting.dir, { onCorrupt: options.onCorrupt });
}
