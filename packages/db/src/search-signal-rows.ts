import type { Pool } from 'pg';
import type { TrialSnapshot } from '@satfarm/search';
import { withClient } from './connection.ts';
import { IncompleteHistoryError } from './errors.ts';

interface SnapshotRow {
  trialId: string;
  architecture: string;
  variant: string;
  resolution: number;
  seed: number;
  epoch: number;
  testAccuracy: number;
  layerIndexes: number[];
  layerSaturations: number[];
}

/**
 * Every epoch of every completed trial of a sweep as search snapshots (`satfarm search-signal`): test
 * accuracy and the eval saturation of each tracked layer in layer_index order (the classifier last),
 * grouped by architecture and variant as the search's rungs group them. An epoch without eval layer
 * rows, or with a gap in its layer indexes, is refused (IncompleteHistoryError) rather than scored on
 * the layers that happen to be there. Ordered by group, resolution, seed, trial and epoch.
 */
export async function searchSignalSnapshots(pool: Pool, sweepId: string): Promise<TrialSnapshot[]> {
  const rows = await withClient(pool, async (client) => {
    const result = await client.query<SnapshotRow>(
      `SELECT t.id AS "trialId", t.architecture, t.variant, t.resolution, t.seed, e.epoch,
              e.test_accuracy AS "testAccuracy",
              coalesce(array_agg(l.layer_index ORDER BY l.layer_index)
                         FILTER (WHERE l.layer_index IS NOT NULL), '{}') AS "layerIndexes",
              coalesce(array_agg(l.saturation ORDER BY l.layer_index)
                         FILTER (WHERE l.layer_index IS NOT NULL), '{}') AS "layerSaturations"
         FROM trials t
         JOIN epoch_metrics e ON e.trial_id = t.id
         LEFT JOIN layer_metrics l ON l.trial_id = e.trial_id AND l.epoch = e.epoch AND l.mode = 'eval'
        WHERE t.sweep_id = $1 AND t.status = 'completed'
        GROUP BY t.id, e.epoch, e.test_accuracy
        ORDER BY t.architecture, t.variant, t.resolution, t.seed, t.id, e.epoch`,
      [sweepId],
    );
    return result.rows;
  });
  return rows.map((row) => {
    if (row.layerIndexes.length === 0 || row.layerIndexes.some((index, i) => index !== i)) {
      throw new IncompleteHistoryError(
        `trial ${row.trialId} epoch ${row.epoch}: eval saturation of layers [${row.layerIndexes.join(', ')}]; ` +
          'expected every tracked layer from index 0',
      );
    }
    return {
      trialId: row.trialId,
      group: searchGroup(row.architecture, row.variant),
      resolution: row.resolution,
      seed: row.seed,
      epoch: row.epoch,
      testAccuracy: row.testAccuracy,
      layerSaturations: row.layerSaturations,
    };
  });
}

/** The label resolutions compete under: architecture and variant, as the rung decisions group trials. */
export function searchGroup(architecture: string, variant: string): string {
  return `${architecture} (${variant})`;
}
