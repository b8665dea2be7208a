import type { Migration } from './migration.ts';

/**
 * The projection test as phd-lab runs it (fitted on the training data, the logits left alone), each
 * layer alone as well as all together, and the random control over several draws with their spread.
 * Additive: `projection_metrics` keeps the rows of the first way (fitted on the test set, every layer
 * including the classifier, one random draw), which older workers may still send.
 */
export const projectionResults: Migration = {
  version: 5,
  name: 'projection-results',
  sql: /* sql */ `
CREATE TABLE projection_results (
  trial_id            text NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  delta               double precision NOT NULL CHECK (delta > 0 AND delta < 1),
  scope               text NOT NULL CHECK (scope IN ('all', 'layer')),
  layer_name          text,
  layer_index         integer CHECK (layer_index >= 0),
  attempt             integer NOT NULL,
  epoch               integer NOT NULL CHECK (epoch >= 1),
  fit                 text NOT NULL CHECK (fit IN ('train', 'test')),
  includes_classifier boolean NOT NULL,
  k                   integer NOT NULL CHECK (k >= 0),
  width               integer NOT NULL CHECK (width > 0 AND k <= width),
  accuracy            double precision NOT NULL CHECK (accuracy >= 0 AND accuracy <= 1),
  random_draws        integer NOT NULL CHECK (random_draws >= 1),
  random_accuracy     double precision NOT NULL,
  random_accuracy_std double precision,
  random_accuracy_min double precision NOT NULL,
  random_accuracy_max double precision NOT NULL,
  random_accuracies   double precision[] NOT NULL CHECK (cardinality(random_accuracies) = random_draws),
  CHECK ((scope = 'all') = (layer_name IS NULL) AND (layer_name IS NULL) = (layer_index IS NULL))
);
-- The natural key; layer_name is NULL on all-layer rows, which a primary key cannot hold.
CREATE UNIQUE INDEX projection_results_key
  ON projection_results (trial_id, delta, scope, (coalesce(layer_name, '')));
COMMENT ON TABLE projection_results IS
  'After a trial''s last epoch: test accuracy with tracked layers projected onto their delta-eigenspace (x -> mu + V_k V_k^T (x - mu)), all at once (scope all) or one alone (scope layer), and with random orthonormal subspaces of the same k (random_draws of them).';
COMMENT ON COLUMN projection_results.fit IS
  'What the eigenspace was fitted on: train (the covariance over the last epoch''s training batches, as phd-lab) or test (the test set''s).';
COMMENT ON COLUMN projection_results.includes_classifier IS
  'Whether the classifier''s output (the logits) was projected too; phd-lab leaves it out.';
COMMENT ON COLUMN projection_results.k IS 'Eigenspace dimensions kept, summed over the projected layers (width: their widths, summed).';
COMMENT ON COLUMN projection_results.random_accuracy IS 'Mean test accuracy over the random draws.';
COMMENT ON COLUMN projection_results.random_accuracy_std IS 'Sample standard deviation over the random draws (NULL for one draw).';

CREATE VIEW projection_results_summary AS
SELECT t.sweep_id,
       t.architecture,
       t.variant,
       t.resolution,
       p.fit,
       p.includes_classifier,
       p.scope,
       p.layer_name,
       min(p.layer_index) AS layer_index,
       p.delta,
       count(*)::integer AS trials,
       avg(p.k::double precision / p.width) AS mean_kept_share,
       avg(t.final_test_accuracy) AS mean_test_accuracy,
       avg(p.accuracy) AS mean_projected_accuracy,
       stddev_samp(p.accuracy) AS std_projected_accuracy,
       avg(p.random_accuracy) AS mean_random_accuracy,
       avg(p.random_accuracy_std) AS mean_random_accuracy_std,
       min(p.random_accuracy_min) AS min_random_accuracy,
       max(p.random_accuracy_max) AS max_random_accuracy,
       avg(p.accuracy - t.final_test_accuracy) AS mean_accuracy_change,
       avg(p.random_accuracy - t.final_test_accuracy) AS mean_random_accuracy_change
FROM trials t
JOIN projection_results p ON p.trial_id = t.id
WHERE t.status = 'completed'
GROUP BY t.sweep_id, t.architecture, t.variant, t.resolution, p.fit, p.includes_classifier, p.scope,
         p.layer_name, p.delta;
COMMENT ON VIEW projection_results_summary IS
  'Projection test per sweep, architecture (variant), resolution, fit, scope (all layers or one), layer and delta over completed trials: eigenspace and random-control accuracy against the unprojected accuracy; mean_random_accuracy_std is the typical spread between draws within a trial.';

COMMENT ON TABLE projection_metrics IS
  'Legacy projection test (before projection_results): every tracked layer, the classifier included, projected onto the delta-eigenspace of its test-set covariance (k = summed dimensions), and one random subspace of the same dimensions.';
`,
};
