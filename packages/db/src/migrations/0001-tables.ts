import type { Migration } from './migration.ts';

export const tables: Migration = {
  version: 1,
  name: 'tables',
  sql: /* sql */ `
CREATE TABLE sweeps (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  spec         jsonb NOT NULL,
  status       text NOT NULL DEFAULT 'running'
               CONSTRAINT sweeps_status_check CHECK (status IN ('running', 'completed', 'cancelled')),
  trial_count  integer NOT NULL CHECK (trial_count >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX sweeps_name_created_idx ON sweeps (name, created_at DESC);
COMMENT ON TABLE sweeps IS 'One row per sweep spec; id = hash of the parsed spec.';

CREATE TABLE trials (
  id                   text PRIMARY KEY,
  sweep_id             text NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  ordinal              integer NOT NULL,
  config               jsonb NOT NULL,
  architecture         text NOT NULL,
  variant              text NOT NULL,
  resolution           integer NOT NULL,
  seed                 integer NOT NULL,
  width_multiplier     double precision NOT NULL,
  planned_epochs       integer NOT NULL,
  status               text NOT NULL DEFAULT 'queued'
                       CONSTRAINT trials_status_check
                       CHECK (status IN ('queued', 'running', 'completed', 'failed', 'diverged', 'cancelled')),
  attempts             integer NOT NULL DEFAULT 0,
  worker               text,
  backend              text,
  device               text,
  started_at           timestamptz,
  finished_at          timestamptz,
  last_epoch           integer NOT NULL DEFAULT 0,
  final_train_loss     double precision,
  final_train_accuracy double precision,
  final_test_loss      double precision,
  final_test_accuracy  double precision,
  error                text,
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trials_sweep_ordinal_idx ON trials (sweep_id, ordinal);
CREATE INDEX trials_sweep_status_idx ON trials (sweep_id, status);
CREATE INDEX trials_sweep_group_idx ON trials (sweep_id, architecture, variant, resolution);
COMMENT ON TABLE trials IS 'One row per (sweep, trial config); id = hash of (sweep id, canonical config).';
COMMENT ON COLUMN trials.ordinal IS 'Position in the sweep''s expansion order (architecture slowest, then resolution, seed…).';
COMMENT ON COLUMN trials.variant IS 'Architecture options besides resolution and seed, e.g. widthMultiplier=0.25,depth=4; trials that differ only in seed share it.';
COMMENT ON COLUMN trials.attempts IS 'Newest attempt seen; events from older attempts cannot change the status.';
COMMENT ON COLUMN trials.last_epoch IS 'Highest epoch stored in epoch_metrics; final_* columns are that epoch''s values.';

CREATE TABLE epoch_metrics (
  trial_id       text NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  epoch          integer NOT NULL CHECK (epoch >= 1),
  attempt        integer NOT NULL,
  train_loss     double precision NOT NULL,
  train_accuracy double precision NOT NULL,
  test_loss      double precision NOT NULL,
  test_accuracy  double precision NOT NULL,
  seconds        double precision NOT NULL,
  backend        text NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (trial_id, epoch)
);
COMMENT ON TABLE epoch_metrics IS 'One row per finished epoch of a trial (the newest attempt''s values win).';

CREATE TABLE layer_metrics (
  trial_id        text NOT NULL,
  epoch           integer NOT NULL,
  layer_index     integer NOT NULL,
  mode            text NOT NULL CONSTRAINT layer_metrics_mode_check CHECK (mode IN ('train', 'eval')),
  attempt         integer NOT NULL,
  layer_name      text NOT NULL,
  kind            text NOT NULL,
  width           integer NOT NULL,
  receptive_field integer NOT NULL,
  unproductive    boolean NOT NULL,
  k               integer NOT NULL,
  saturation      double precision NOT NULL,
  PRIMARY KEY (trial_id, epoch, layer_index, mode),
  FOREIGN KEY (trial_id, epoch) REFERENCES epoch_metrics (trial_id, epoch) ON DELETE CASCADE
);
COMMENT ON TABLE layer_metrics IS 'Saturation of one layer in one epoch, measured on training (train) or test (eval) data.';
COMMENT ON COLUMN layer_metrics.k IS 'Eigenvalues needed to explain delta of the variance; saturation = k / width.';
COMMENT ON COLUMN layer_metrics.unproductive IS 'Predicted from receptive fields before training: the layer and its inputs already see the whole image.';
`,
};
