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

/** The `projection_summary` view for one sweep. */
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
