import type { Migration } from './migration.ts';

/** Tail length per epoch, projection-test results, and the parameterised resolution recommendation. */
export const science: Migration = {
  version: 3,
  name: 'science',
  sql: /* sql */ `
ALTER TABLE epoch_metrics ADD COLUMN tail_length integer CHECK (tail_length >= 0);
COMMENT ON COLUMN epoch_metrics.tail_length IS
  'Trailing tracked layers (classifier excluded) whose eval saturation is under half the network''s median.';

CREATE TABLE projection_metrics (
  trial_id        text NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  delta           double precision NOT NULL CHECK (delta > 0 AND delta < 1),
  attempt         integer NOT NULL,
  k               integer NOT NULL CHECK (k >= 0),
  width           integer NOT NULL CHECK (width > 0),
  accuracy        double precision NOT NULL,
  random_accuracy double precision NOT NULL,
  PRIMARY KEY (trial_id, delta)
);
COMMENT ON TABLE projection_metrics IS
  'After a trial''s last epoch: test accuracy with every tracked layer projected onto its delta-eigenspace (k = summed dimensions), and with a random subspace of the same dimensions.';

CREATE VIEW resolution_tail AS
SELECT t.sweep_id,
       t.architecture,
       t.variant,
       t.resolution,
       count(*)::integer AS trials,
       avg(e.tail_length)::double precision AS mean_tail_length,
       min(e.tail_length) AS min_tail_length,
       max(e.tail_length) AS max_tail_length
FROM trials t
JOIN epoch_metrics e ON e.trial_id = t.id AND e.epoch = t.last_epoch
WHERE t.status = 'completed'
GROUP BY t.sweep_id, t.architecture, t.variant, t.resolution;
COMMENT ON VIEW resolution_tail IS 'Per sweep, architecture (variant) and resolution: saturation tail length at the last epoch of completed trials.';

CREATE VIEW projection_summary AS
SELECT t.sweep_id,
       t.architecture,
       t.variant,
       t.resolution,
       p.delta,
       count(*)::integer AS trials,
       avg(p.k::double precision / p.width) AS mean_kept_share,
       avg(t.final_test_accuracy) AS mean_test_accuracy,
       avg(p.accuracy) AS mean_projected_accuracy,
       avg(p.random_accuracy) AS mean_random_accuracy,
       avg(p.accuracy - t.final_test_accuracy) AS mean_accuracy_change,
       avg(p.random_accuracy - t.final_test_accuracy) AS mean_random_accuracy_change
FROM trials t
JOIN projection_metrics p ON p.trial_id = t.id
WHERE t.status = 'completed'
GROUP BY t.sweep_id, t.architecture, t.variant, t.resolution, p.delta;
COMMENT ON VIEW projection_summary IS 'Projection test per sweep, architecture (variant), resolution and delta: accuracy with eigenspace and random projections vs unprojected.';

-- The recommendation as data: best mean test accuracy, and the cheapest (smallest) resolution whose
-- mean is within p_tolerance (accuracy units: 0.005 = half a point) of the best.
CREATE FUNCTION recommend_resolution(p_sweep_id text, p_tolerance double precision DEFAULT 0.005)
RETURNS TABLE (
  architecture text,
  variant text,
  best_resolution integer,
  best_mean_test_accuracy double precision,
  best_std_test_accuracy double precision,
  seeds integer,
  cheapest_resolution integer,
  cheapest_mean_test_accuracy double precision
)
LANGUAGE sql STABLE AS $$
  WITH s AS (
    SELECT * FROM resolution_summary r WHERE r.sweep_id = p_sweep_id AND r.completed > 0
  ), best AS (
    SELECT DISTINCT ON (s.architecture, s.variant) s.architecture, s.variant, s.resolution,
           s.mean_test_accuracy, s.std_test_accuracy, s.seeds
    FROM s ORDER BY s.architecture, s.variant, s.mean_test_accuracy DESC, s.resolution ASC
  ), cheapest AS (
    SELECT DISTINCT ON (s.architecture, s.variant) s.architecture, s.variant, s.resolution, s.mean_test_accuracy
    FROM s JOIN best b ON b.architecture = s.architecture AND b.variant = s.variant
    WHERE s.mean_test_accuracy >= b.mean_test_accuracy - p_tolerance
    ORDER BY s.architecture, s.variant, s.resolution ASC
  )
  SELECT b.architecture, b.variant, b.resolution, b.mean_test_accuracy, b.std_test_accuracy, b.seeds,
         c.resolution, c.mean_test_accuracy
  FROM best b JOIN cheapest c ON c.architecture = b.architecture AND c.variant = b.variant
  ORDER BY b.architecture, b.variant
$$;
COMMENT ON FUNCTION recommend_resolution(text, double precision) IS
  'Per architecture (variant) of a sweep: the best resolution and the cheapest one within a tolerance of it.';
`,
};
