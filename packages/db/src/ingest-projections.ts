import type { PoolClient } from 'pg';
import type { EpochEvent } from '@satfarm/contracts';

/** Upserts the projection-test rows carried by (last-epoch) results; newer attempts win, like every row. */
export async function upsertProjections(client: PoolClient, events: readonly EpochEvent[]): Promise<number> {
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
