import type { ProjectionSummaryRow } from '@satfarm/contracts';
import type { Pool } from 'pg';
import { withClient } from './connection.ts';

export interface ProjectionRow {
  architecture: string;
  variant: string;
  resolution: number;
  delta: number;
  trials: number;
  meanKeptShare: number;
  meanTestAccuracy: number;
  meanProjectedAccuracy: number;
  meanRandomAccuracy: number;
}

/** The legacy `projection_summary` view for one sweep (see projection_metrics). */
export async function projectionSummary(pool: Pool, sweepId: string): Promise<ProjectionRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ProjectionRow>(
      `SELECT architecture, variant, resolution, delta, trials, mean_kept_share AS "meanKeptShare",
              mean_test_accuracy AS "meanTestAccuracy", mean_projected_accuracy AS "meanProjectedAccuracy",
              mean_random_accuracy AS "meanRandomAccuracy"
       FROM projection_summary WHERE sweep_id = $1 ORDER BY architecture, variant, resolution, delta`,
      [sweepId],
    );
    return rows;
  });
}

/** One row of `projection_results_summary` (declared once, in contracts). */
export type ProjectionResultRow = ProjectionSummaryRow;

/**
 * The `projection_results_summary` view for one sweep: all-layer rows first, then each layer in forward
 * order, per architecture, variant, resolution and δ.
 */
export async function projectionResults(pool: Pool, sweepId: string): Promise<ProjectionResultRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ProjectionResultRow>(
      `SELECT architecture, variant, resolution, fit, includes_classifier AS "includesClassifier", scope,
              layer_name AS "layerName", layer_index AS "layerIndex", delta, trials,
              mean_kept_share AS "meanKeptShare", mean_test_accuracy AS "meanTestAccuracy",
              mean_projected_accuracy AS "meanProjectedAccuracy",
              std_projected_accuracy AS "stdProjectedAccuracy",
              mean_random_accuracy AS "meanRandomAccuracy",
              mean_random_accuracy_std AS "meanRandomAccuracyStd",
              min_random_accuracy AS "minRandomAccuracy", max_random_accuracy AS "maxRandomAccuracy"
       FROM projection_results_summary WHERE sweep_id = $1
       ORDER BY architecture, variant, resolution, fit, includes_classifier, scope, layer_index NULLS FIRST, delta`,
      [sweepId],
    );
    return rows;
  });
}

export interface ProductivityRow {
  architecture: string;
  variant: string;
  resolution: number;
  unproductive: boolean;
  /** Conv layer-trial pairs behind the mean. */
  layers: number;
  meanEvalSaturation: number;
}

/**
 * Mean eval saturation at the last epoch of completed trials, for conv layers predicted unproductive by
 * receptive-field analysis vs the others: the check of "Should You Go Deeper?"'s prediction.
 */
export async function saturationByProductivity(pool: Pool, sweepId: string): Promise<ProductivityRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ProductivityRow>(
      `SELECT t.architecture, t.variant, t.resolution, lm.unproductive, count(*)::integer AS layers,
              avg(lm.saturation) AS "meanEvalSaturation"
       FROM trials t
       JOIN layer_metrics lm ON lm.trial_id = t.id AND lm.epoch = t.last_epoch AND lm.mode = 'eval'
       WHERE t.sweep_id = $1 AND t.status = 'completed' AND lm.kind = 'conv'
       GROUP BY t.architecture, t.variant, t.resolution, lm.unproductive
       ORDER BY t.architecture, t.variant, t.resolution, lm.unproductive`,
      [sweepId],
    );
    return rows;
  });
}
