import { type Pool, type SweepStatus, type TrialResult, withClient } from '@satfarm/db';

/** One sweep of the list page, with its progress counted in the same query. */
export interface SweepListItem {
  id: string;
  name: string;
  status: SweepStatus;
  trialCount: number;
  createdAt: Date;
  completedAt: Date | null;
  queued: number;
  running: number;
  completed: number;
  /** failed + diverged */
  failed: number;
  cancelled: number;
  epochsDone: number;
  epochsExpected: number;
}

/**
 * The newest sweeps with progress, in one statement: the list page polls this every few seconds,
 * so it must not cost a query per sweep.
 */
export async function listSweeps(pool: Pool, limit = 200): Promise<SweepListItem[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<SweepListItem>(
      `SELECT s.id, s.name, s.status, s.trial_count AS "trialCount", s.created_at AS "createdAt",
              s.completed_at AS "completedAt",
              count(t.id) FILTER (WHERE t.status = 'queued')::int AS queued,
              count(t.id) FILTER (WHERE t.status = 'running')::int AS running,
              count(t.id) FILTER (WHERE t.status = 'completed')::int AS completed,
              count(t.id) FILTER (WHERE t.status IN ('failed', 'diverged'))::int AS failed,
              count(t.id) FILTER (WHERE t.status = 'cancelled')::int AS cancelled,
              coalesce(sum(least(t.last_epoch, t.planned_epochs)), 0)::int AS "epochsDone",
              coalesce(sum(t.planned_epochs), 0)::int AS "epochsExpected"
       FROM sweeps s LEFT JOIN trials t ON t.sweep_id = s.id
       GROUP BY s.id
       ORDER BY s.created_at DESC, s.id
       LIMIT $1`,
      [limit],
    );
    return rows;
  });
}

/** The delta a trial measured saturation with (from its stored config), for the plot's caption. */
export async function trialDelta(pool: Pool, trialId: string): Promise<number | undefined> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<{ delta: number | null }>(
      `SELECT (config #>> '{saturation,delta}')::float8 AS delta FROM trials WHERE id = $1`,
      [trialId],
    );
    return rows[0]?.delta ?? undefined;
  });
}

// The columns of @satfarm/db's sweepResults, so a page of trials has the same shape as the whole list.
const TRIAL_RESULT_COLUMNS = `
  trial_id AS "trialId", ordinal, architecture, variant, resolution, seed, width_multiplier AS "widthMultiplier",
  status, attempts, final_test_accuracy AS "testAccuracy", final_test_loss AS "testLoss",
  final_train_accuracy AS "trainAccuracy", final_train_loss AS "trainLoss", last_epoch AS epochs,
  planned_epochs AS "plannedEpochs", backend, device, training_seconds AS seconds,
  mean_train_saturation AS "meanTrainSaturation", mean_eval_saturation AS "meanEvalSaturation", error`;

/**
 * One page of a sweep's trials in expansion order. The page's ids are picked from `trials` alone
 * (the (sweep_id, ordinal) index), so trial_summary's per-trial sums run for `limit` trials only,
 * not for every trial before the page.
 */
export async function sweepTrialsPage(
  pool: Pool,
  sweepId: string,
  page: { limit: number; offset: number },
): Promise<TrialResult[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<TrialResult>(
      `SELECT ${TRIAL_RESULT_COLUMNS} FROM trial_summary
       WHERE trial_id IN (SELECT id FROM trials WHERE sweep_id = $1 ORDER BY ordinal LIMIT $2 OFFSET $3)
       ORDER BY ordinal`,
      [sweepId, page.limit, page.offset],
    );
    return rows;
  });
}

/**
 * A string that changes whenever a sweep's results can have: the number of trials, the newest
 * `updated_at` (every status change and every ingested epoch sets it) and the epochs stored. Text,
 * not a Date: two writes within one millisecond differ in microseconds only.
 */
export async function sweepVersion(pool: Pool, sweepId: string): Promise<string> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<{ version: string }>(
      `SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') || '/' || coalesce(sum(last_epoch), 0) AS version
       FROM trials WHERE sweep_id = $1`,
      [sweepId],
    );
    return rows[0]?.version ?? '';
  });
}
