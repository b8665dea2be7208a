import type { Migration } from './migration.ts';

// Statistics over completed trials only: a running or failed trial's last epoch is not comparable.
export const views: Migration = {
  version: 2,
  name: 'views',
  sql: /* sql */ `
CREATE VIEW trial_summary AS
SELECT t.id AS trial_id,
       t.sweep_id,
       s.name AS sweep_name,
       t.ordinal,
       t.architecture,
       t.variant,
       t.resolution,
       t.seed,
       t.width_multiplier,
       t.status,
       t.attempts,
       t.worker,
       t.backend,
       t.device,
       t.started_at,
       t.finished_at,
       t.planned_epochs,
       t.last_epoch,
       t.final_train_loss,
       t.final_train_accuracy,
       t.final_test_loss,
       t.final_test_accuracy,
       e.training_seconds,
       l.mean_train_saturation,
       l.mean_eval_saturation,
       t.error,
       t.config
FROM trials t
JOIN sweeps s ON s.id = t.sweep_id
LEFT JOIN LATERAL (
  SELECT sum(em.seconds) AS training_seconds FROM epoch_metrics em WHERE em.trial_id = t.id
) e ON true
LEFT JOIN LATERAL (
  SELECT avg(lm.saturation) FILTER (WHERE lm.mode = 'train') AS mean_train_saturation,
         avg(lm.saturation) FILTER (WHERE lm.mode = 'eval') AS mean_eval_saturation
  FROM layer_metrics lm
  WHERE lm.trial_id = t.id AND lm.epoch = t.last_epoch
) l ON true;
COMMENT ON VIEW trial_summary IS 'One row per trial: status, final metrics, total training seconds, mean saturation over layers at the last epoch.';

CREATE VIEW resolution_summary AS
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
       avg(training_seconds) FILTER (WHERE status = 'completed') AS mean_training_seconds
FROM trial_summary
GROUP BY sweep_id, sweep_name, architecture, variant, resolution;
COMMENT ON VIEW resolution_summary IS 'Per sweep, architecture (variant) and resolution: test accuracy mean and sample stddev over completed trials, mean saturation.';

CREATE VIEW layer_resolution_summary AS
SELECT t.sweep_id,
       t.architecture,
       t.variant,
       t.resolution,
       lm.layer_index,
       lm.layer_name,
       lm.kind,
       max(lm.width) AS width,
       max(lm.receptive_field) AS receptive_field,
       bool_or(lm.unproductive) AS unproductive,
       count(DISTINCT t.id)::integer AS trials,
       avg(lm.saturation) FILTER (WHERE lm.mode = 'eval') AS mean_eval_saturation,
       avg(lm.saturation) FILTER (WHERE lm.mode = 'train') AS mean_train_saturation
FROM trials t
JOIN layer_metrics lm ON lm.trial_id = t.id AND lm.epoch = t.last_epoch
WHERE t.status = 'completed'
GROUP BY t.sweep_id, t.architecture, t.variant, t.resolution, lm.layer_index, lm.layer_name, lm.kind;
COMMENT ON VIEW layer_resolution_summary IS 'Per sweep, architecture (variant), resolution and layer: mean saturation at each completed trial''s last epoch.';

CREATE VIEW recommended_resolution AS
SELECT DISTINCT ON (sweep_id, architecture, variant)
       sweep_id,
       sweep_name,
       architecture,
       variant,
       resolution,
       mean_test_accuracy,
       std_test_accuracy,
       seeds,
       completed,
       trials
FROM resolution_summary
WHERE completed > 0
ORDER BY sweep_id, architecture, variant, mean_test_accuracy DESC, resolution ASC;
COMMENT ON VIEW recommended_resolution IS 'Per sweep and architecture (variant): the resolution with the best mean test accuracy over completed trials; ties go to the smaller resolution.';
`,
};
