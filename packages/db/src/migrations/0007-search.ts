import type { Migration } from './migration.ts';

/**
 * Successive-halving searches: the stage each trial may train to (`search_rung`), two statuses
 * (`paused` at a rung, `pruned` by its decision) and every decision with its reason, so that a user can
 * ask why a resolution was dropped.
 */
export const search: Migration = {
  version: 7,
  name: 'search',
  sql: /* sql */ `
ALTER TABLE trials ADD COLUMN search_rung integer NOT NULL DEFAULT 0 CHECK (search_rung >= 0);
COMMENT ON COLUMN trials.search_rung IS
  'Successive-halving searches: the stage the trial trains in (0 = up to the first rung; one more per promotion). 0 in a grid sweep.';
ALTER TABLE trials DROP CONSTRAINT trials_status_check;
ALTER TABLE trials ADD CONSTRAINT trials_status_check CHECK (
  status IN ('queued', 'running', 'paused', 'completed', 'pruned', 'failed', 'diverged', 'cancelled'));

CREATE TABLE search_decisions (
  sweep_id    text NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  trial_id    text NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  rung        integer NOT NULL CHECK (rung >= 0),
  epoch       integer NOT NULL CHECK (epoch >= 1),
  rank_by     text NOT NULL,
  score       double precision NOT NULL,
  rank        integer NOT NULL CHECK (rank >= 1),
  candidates  integer NOT NULL CHECK (candidates >= 1),
  kept        integer NOT NULL CHECK (kept >= 1),
  decision    text NOT NULL CHECK (decision IN ('promoted', 'stopped')),
  reason      text NOT NULL,
  decided_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (trial_id, rung)
);
CREATE INDEX search_decisions_sweep_idx ON search_decisions (sweep_id, rung, rank);
-- Columns appended (CREATE OR REPLACE VIEW keeps the old ones in place): pruned trials per resolution
-- and the epochs every trial of it trained, so a searched sweep's cost is one query away.
CREATE OR REPLACE VIEW resolution_summary AS
SELECT sweep_id,
       sweep_name,
       architecture,
       variant,
       resolution,
       count(*)::integer AS trials,
       count(*) FILTER (WHERE status = 'completed')::integer AS completed,
       count(DISTINCT seed) FILTER (WHERE status = 'completed')::integer AS seeds,
       avg(final_test_accuracy) FILTER (WHERE status = 'completed') AS mean_test_accuracy,
       stddev_samp(final_test_accuracy) FILTER (WHERE status = 'completed') AS std_test_accuracy,
       avg(final_train_accuracy) FILTER (WHERE status = 'completed') AS mean_train_accuracy,
       avg(mean_train_saturation) FILTER (WHERE status = 'completed') AS mean_train_saturation,
       avg(mean_eval_saturation) FILTER (WHERE status = 'completed') AS mean_eval_saturation,
       avg(training_seconds) FILTER (WHERE status = 'completed') AS mean_training_seconds,
       count(*) FILTER (WHERE status = 'pruned')::integer AS pruned,
       sum(last_epoch)::integer AS trained_epochs,
       sum(planned_epochs)::integer AS planned_epochs
FROM trial_summary
GROUP BY sweep_id, sweep_name, architecture, variant, resolution;

CREATE VIEW search_rungs AS
SELECT d.sweep_id, t.architecture, t.variant, d.rung, d.epoch, d.rank_by,
       count(*)::integer AS candidates,
       count(*) FILTER (WHERE d.decision = 'promoted')::integer AS promoted,
       array_agg(DISTINCT t.resolution ORDER BY t.resolution) FILTER (WHERE d.decision = 'promoted') AS promoted_resolutions,
       array_agg(DISTINCT t.resolution ORDER BY t.resolution) FILTER (WHERE d.decision = 'stopped') AS stopped_resolutions,
       min(d.decided_at) AS decided_at
FROM search_decisions d JOIN trials t ON t.id = d.trial_id
GROUP BY d.sweep_id, t.architecture, t.variant, d.rung, d.epoch, d.rank_by;
COMMENT ON VIEW search_rungs IS
  'Per searched sweep, architecture variant and rung: how many trials were ranked, how many went on, and which resolutions went on or stopped.';

COMMENT ON TABLE search_decisions IS
  'One row per trial and rung of a successive-halving search: its score at the rung''s epoch, its rank among the trials of its architecture variant, and whether it went on (promoted) or was pruned (stopped), with why.';
`,
};
