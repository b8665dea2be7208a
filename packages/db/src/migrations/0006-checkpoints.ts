import type { Migration } from './migration.ts';

/**
 * Trial checkpoints in the farm's own database (`CHECKPOINT_STORE=postgres`), for farms whose machines
 * share PostgreSQL and Redis but no file system. One header row per trial (readable with `satfarm sql`:
 * how large, which epoch, since when) and the bytes in numbered chunks in `satfarm_private`, which
 * readers of the results cannot see: a VGG16 checkpoint with Adam state is ~180 MB, far from the 1 GB
 * limit of a value and never one huge parameter.
 */
export const checkpoints: Migration = {
  version: 6,
  name: 'checkpoints',
  sql: /* sql */ `
CREATE TABLE trial_checkpoints (
  trial_id   text PRIMARY KEY,
  epoch      integer NOT NULL CHECK (epoch >= 0),
  bytes      bigint NOT NULL CHECK (bytes >= 0),
  chunks     integer NOT NULL CHECK (chunks >= 0),
  saved_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE trial_checkpoints IS
  'The newest checkpoint of each trial that has one (CHECKPOINT_STORE=postgres): removed when the trial completes or diverges.';

CREATE TABLE satfarm_private.checkpoint_chunks (
  trial_id text NOT NULL REFERENCES trial_checkpoints (trial_id) ON DELETE CASCADE,
  seq      integer NOT NULL CHECK (seq >= 0),
  data     bytea NOT NULL,
  PRIMARY KEY (trial_id, seq)
);
-- Float weights do not compress: storing them out of line without trying saves the CPU of pglz.
ALTER TABLE satfarm_private.checkpoint_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
COMMENT ON TABLE satfarm_private.checkpoint_chunks IS
  'The bytes of each trial checkpoint (the file format of the file store), in order of seq.';
`,
};
