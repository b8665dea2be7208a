/**
 * Which checkpoint store a worker uses, as `CHECKPOINT_STORE` / `--checkpoint-store` spell it:
 * `postgres` (the farm's database: no shared file system needed, the default) or `file:/a/dir`
 * (`file` alone: the `CHECKPOINT_DIR` directory). Pure: the caller passes the values it read.
 */
export type CheckpointStoreSetting = { kind: 'postgres' } | { kind: 'file'; dir: string };

export const DEFAULT_CHECKPOINT_STORE = 'postgres';

/** What a valid setting looks like, for error messages. */
export const CHECKPOINT_STORE_EXPECTED =
  "expected 'postgres' (checkpoints in DATABASE_URL's database) or 'file:/a/dir' (a directory every " +
  "worker mounts; 'file' alone uses CHECKPOINT_DIR)";

export class CheckpointStoreSettingError extends Error {
  override readonly name = 'CheckpointStoreSettingError';
}

export function parseCheckpointStoreSetting(
  text: string | undefined,
  options: { field: string; checkpointDir: string },
): CheckpointStoreSetting {
  const value = text ?? DEFAULT_CHECKPOINT_STORE;
  if (value === 'postgres') return { kind: 'postgres' };
  if (value === 'file') return { kind: 'file', dir: options.checkpointDir };
  if (value.startsWith('file:') && value.length > 'file:'.length) {
    return { kind: 'file', dir: value.slice('file:'.length) };
  }
  throw new CheckpointStoreSettingError(`${options.field}: got '${value}', ${CHECKPOINT_STORE_EXPECTED}`);
}

/** The setting as it is written, for a child process's configuration and for logs. */
export function formatCheckpointStoreSetting(setting: CheckpointStoreSetting): string {
  return setting.kind === 'postgres' ? 'postgres' : `file:${setting.dir}`;
}
