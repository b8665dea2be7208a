import { type Pool, type SweepStatus, withClient } from '@satfarm/db';

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
  /** Successive-halving sweeps: trials waiting at a rung, and trials the search stopped. */
  paused: number;
  pruned: number;
  epochsDone: number;
  /** Planned epochs; a pruned trial's end where it stopped (a search's total shrinks as it prunes). */
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
              count(t.id) FILTER (WHERE t.status = 'paused')::int AS paused,
              count(t.id) FILTER (WHERE t.status = 'pruned')::int AS pruned,
              coalesce(sum(least(t.last_epoch, t.planned_epochs)), 0)::int AS "epochsDone",
              coalesce(sum(CASE WHEN t.status = 'pruned' THEN t.last_epoch ELSE t.planned_epochs END), 0)::int
                AS "epochsExpected"
       FROM sweeps s LEFT JOIN trials t ON t.sweep_id = s.id
       GROUP BY s.id
       ORDER BY s.created_at DESC, s.id
       LIMIT $1`,
      [limit],
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
