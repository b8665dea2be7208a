import type { Pool } from 'pg';
import { withClient } from './connection.ts';

/** One rung of a searched sweep for one architecture variant (the `search_rungs` view). */
export interface SearchRungRow {
  architecture: string;
  variant: string;
  rung: number;
  /** The epoch the trials were ranked at. */
  epoch: number;
  rankBy: string;
  candidates: number;
  promoted: number;
  promotedResolutions: number[];
  stoppedResolutions: number[];
}

/** What a searched sweep trained against what its full grid would have, per architecture variant. */
export interface SearchCostRow {
  architecture: string;
  variant: string;
  trials: number;
  pruned: number;
  /** Epochs trained, summed over trials (pruned ones included). */
  trainedEpochs: number;
  /** Every trial × every epoch: the full grid. */
  gridEpochs: number;
}

export async function searchRungs(pool: Pool, sweepId: string): Promise<SearchRungRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<SearchRungRow>(
      `SELECT architecture, variant, rung, epoch, rank_by AS "rankBy", candidates, promoted,
              coalesce(promoted_resolutions, '{}') AS "promotedResolutions",
              coalesce(stopped_resolutions, '{}') AS "stoppedResolutions"
         FROM search_rungs WHERE sweep_id = $1 ORDER BY architecture, variant, rung`,
      [sweepId],
    );
    return rows;
  });
}

export async function searchCost(pool: Pool, sweepId: string): Promise<SearchCostRow[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<SearchCostRow>(
      `SELECT architecture, variant, sum(trials)::int AS trials, sum(pruned)::int AS pruned,
              sum(trained_epochs)::int AS "trainedEpochs", sum(planned_epochs)::int AS "gridEpochs"
         FROM resolution_summary WHERE sweep_id = $1 GROUP BY architecture, variant ORDER BY architecture, variant`,
      [sweepId],
    );
    return rows;
  });
}
