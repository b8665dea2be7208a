import type { Pool } from 'pg';
import type { TrialConfig } from '@satfarm/contracts';
import { withClient } from './connection.ts';

/** The statement behind every recommendation; printed with it so anyone can re-run the decision. */
export const RECOMMENDATION_SQL = 'SELECT * FROM recommend_resolution($1, $2)';

export interface ResolutionRecommendationRow {
  architecture: string;
  variant: string;
  bestResolution: number;
  bestMeanTestAccuracy: number;
  bestStd: number | null;
  seeds: number;
  cheapestResolution: number;
  cheapestMeanTestAccuracy: number;
}

/** `recommend_resolution(sweep, tolerance)`: best resolution and the cheapest within `tolerance` of it. */
export async function recommendResolutions(
  pool: Pool,
  sweepId: string,
  tolerance: number,
): Promise<ResolutionRecommendationRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<ResolutionRecommendationRow>(
      `SELECT architecture, variant, best_resolution AS "bestResolution",
              best_mean_test_accuracy AS "bestMeanTestAccuracy", best_std_test_accuracy AS "bestStd", seeds,
              cheapest_resolution AS "cheapestResolution",
              cheapest_mean_test_accuracy AS "cheapestMeanTestAccuracy"
       FROM (${RECOMMENDATION_SQL}) r`,
      [sweepId, tolerance],
    );
    return rows;
  });
}

export interface TailRow {
  architecture: string;
  variant: string;
  resolution: number;
  meanTailLength: number | null;
}

/** The `resolution_tail` view for one sweep. */
export async function resolutionTails(pool: Pool, sweepId: string): Promise<TailRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<TailRow>(
      `SELECT architecture, variant, resolution, mean_tail_length AS "meanTailLength"
       FROM resolution_tail WHERE sweep_id = $1 ORDER BY architecture, variant, resolution`,
      [sweepId],
    );
    return rows;
  });
}

/** One trial config per (architecture, variant) of a sweep, and the resolutions the sweep tried. */
export async function sweepVariants(
  pool: Pool,
  sweepId: string,
): Promise<{ architecture: string; variant: string; config: TrialConfig; resolutions: number[] }[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<{
      architecture: string;
      variant: string;
      config: TrialConfig;
      resolutions: number[];
    }>(
      `SELECT architecture, variant, (array_agg(config ORDER BY ordinal))[1] AS config,
              array_agg(DISTINCT resolution ORDER BY resolution) AS resolutions
       FROM trials WHERE sweep_id = $1 GROUP BY architecture, variant ORDER BY architecture, variant`,
      [sweepId],
    );
    return rows;
  });
}
