import type { PoolClient } from 'pg';
import { type EpochEvent, randomControl } from '@satfarm/contracts';

/**
 * Upserts the projection-test rows carried by (last-epoch) results: `projectionTest` into
 * projection_results, the legacy `projection` of older workers into projection_metrics. Newer attempts
 * win, like every row. Returns the rows written to both.
 */
export async function upsertProjections(client: PoolClient, events: readonly EpochEvent[]): Promise<number> {
  return (await upsertProjectionResults(client, events)) + (await upsertLegacyProjections(client, events));
}

/** One row of projection_results, in the order the statement below reads it. */
type ResultRow = [
  trialId: string,
  delta: number,
  scope: 'all' | 'layer',
  layerName: string | null,
  layerIndex: number | null,
  attempt: number,
  epoch: number,
  fit: string,
  includesClassifier: boolean,
  k: number,
  width: number,
  accuracy: number,
  randomDraws: number,
  randomAccuracy: number,
  randomAccuracyStd: number | null,
  randomAccuracyMin: number,
  randomAccuracyMax: number,
  randomAccuracies: number[],
];

async function upsertProjectionResults(client: PoolClient, events: readonly EpochEvent[]): Promise<number> {
  // ON CONFLICT may touch a row once per statement: one row per key, the newest attempt's (then the later).
  const byKey = new Map<string, ResultRow>();
  for (const { trialId, attempt, result } of events) {
    const test = result.projectionTest;
    if (test === undefined) continue;
    const index = new Map(test.layers.map((l) => [l.name, l.index]));
    for (const row of test.rows) {
      const control = randomControl(row.randomAccuracies);
      const key = JSON.stringify([trialId, row.delta, row.layer]);
      const seen = byKey.get(key);
      if (seen !== undefined && seen[5] > attempt) continue;
      byKey.set(key, [
        trialId,
        row.delta,
        row.layer === null ? 'all' : 'layer',
        row.layer,
        row.layer === null ? null : index.get(row.layer)!,
        attempt,
        result.epoch,
        test.fit,
        test.includesClassifier,
        row.k,
        row.width,
        row.accuracy,
        row.randomAccuracies.length,
        control.mean,
        control.std,
        Math.min(...row.randomAccuracies),
        Math.max(...row.randomAccuracies),
        row.randomAccuracies,
      ]);
    }
  }
  if (byKey.size === 0) return 0;
  // One JSON parameter (see upsertLayers in ingest.ts): the draws are an array per row, which parallel
  // unnest() arrays cannot carry.
  const res = await client.query(
    `INSERT INTO projection_results AS m
       (trial_id, delta, scope, layer_name, layer_index, attempt, epoch, fit, includes_classifier, k, width,
        accuracy, random_draws, random_accuracy, random_accuracy_std, random_accuracy_min,
        random_accuracy_max, random_accuracies)
     SELECT r->>0, (r->>1)::float8, r->>2, r->>3, (r->>4)::int, (r->>5)::int, (r->>6)::int, r->>7,
            (r->>8)::bool, (r->>9)::int, (r->>10)::int, (r->>11)::float8, (r->>12)::int, (r->>13)::float8,
            (r->>14)::float8, (r->>15)::float8, (r->>16)::float8,
            ARRAY(SELECT a::float8 FROM jsonb_array_elements_text(r->17) WITH ORDINALITY AS e(a, i) ORDER BY i)
       FROM jsonb_array_elements($1::jsonb) AS r
     ON CONFLICT (trial_id, delta, scope, (coalesce(layer_name, ''))) DO UPDATE SET
       layer_index = EXCLUDED.layer_index, attempt = EXCLUDED.attempt, epoch = EXCLUDED.epoch,
       fit = EXCLUDED.fit, includes_classifier = EXCLUDED.includes_classifier, k = EXCLUDED.k,
       width = EXCLUDED.width, accuracy = EXCLUDED.accuracy, random_draws = EXCLUDED.random_draws,
       random_accuracy = EXCLUDED.random_accuracy, random_accuracy_std = EXCLUDED.random_accuracy_std,
       random_accuracy_min = EXCLUDED.random_accuracy_min, random_accuracy_max = EXCLUDED.random_accuracy_max,
       random_accuracies = EXCLUDED.random_accuracies
     WHERE m.attempt <= EXCLUDED.attempt`,
    [JSON.stringify([...byKey.values()])],
  );
  return res.rowCount ?? 0;
}

async function upsertLegacyProjections(client: PoolClient, events: readonly EpochEvent[]): Promise<number> {
  const cols = {
    trialId: [] as string[],
    delta: [] as number[],
    attempt: [] as number[],
    k: [] as number[],
    width: [] as number[],
    accuracy: [] as number[],
    randomAccuracy: [] as number[],
  };
  for (const { trialId, attempt, result } of events) {
    // One row per (trial, delta) in a statement: a delta listed twice keeps its last entry.
    const byDelta = new Map((result.projection ?? []).map((p) => [p.delta, p]));
    for (const p of byDelta.values()) {
      cols.trialId.push(trialId);
      cols.delta.push(p.delta);
      cols.attempt.push(attempt);
      cols.k.push(p.k);
      cols.width.push(p.width);
      cols.accuracy.push(p.accuracy);
      cols.randomAccuracy.push(p.randomAccuracy);
    }
  }
  if (cols.trialId.length === 0) return 0;
  const res = await client.query(
    `INSERT INTO projection_metrics AS m (trial_id, delta, attempt, k, width, accuracy, random_accuracy)
     SELECT * FROM unnest($1::text[], $2::float8[], $3::int[], $4::int[], $5::int[], $6::float8[], $7::float8[])
     ON CONFLICT (trial_id, delta) DO UPDATE SET
       attempt = EXCLUDED.attempt, k = EXCLUDED.k, width = EXCLUDED.width,
       accuracy = EXCLUDED.accuracy, random_accuracy = EXCLUDED.random_accuracy
     WHERE m.attempt <= EXCLUDED.attempt`,
    [cols.trialId, cols.delta, cols.attempt, cols.k, cols.width, cols.accuracy, cols.randomAccuracy],
  );
  return res.rowCount ?? 0;
}
