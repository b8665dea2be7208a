import type { Pool } from '@satfarm/db';
import type { LogRecord } from '@satfarm/service/testing';

/** What PostgreSQL holds after a sweep, checked against what it should hold. */
export interface RowCheck {
  trialsExpected: number;
  trialsCompleted: number;
  /** Trials a successive-halving search stopped (0 for a grid). */
  trialsPruned: number;
  /** Trials per status (anything but `completed` is a failure here). */
  statuses: Record<string, number>;
  /**
   * Epoch and layer rows of a completed trial that another attempt wrote than the one that completed
   * it. The completing attempt sends the whole history with `completed`, so every row must be its own:
   * a row of an older attempt means a stale write got through, one of a newer attempt means a run
   * went on after the trial had completed. (Rows repeating a key cannot happen: the primary keys
   * forbid them, so they are not counted.)
   */
  staleAttemptRows: number;
  /**
   * Epoch rows a trial should have but does not: 1..planned_epochs, or for a pruned trial 1..the epoch
   * of the rung that stopped it.
   */
  missingEpochRows: number;
  /** Layer rows missing from a stored epoch (every epoch has each of the trial's layers in both modes). */
  missingLayerRows: number;
  /** Epoch rows past a trial's planned epochs (a pruned trial's: past the rung that stopped it). */
  extraEpochRows: number;
  /**
   * A search's decisions that break successive halving: a rung that kept another number than
   * max(1, ⌊candidates / η⌋), a pruned trial without exactly one `stopped` row, a trial with a row
   * at a rung after it was stopped, a completed trial not promoted at every rung, a trial decided
   * twice at one rung (impossible by the key, so not counted).
   */
  searchDecisionProblems: number;
}

/** The epochs a trial must have rows for: every planned one, or up to the rung that pruned it. */
const EXPECTED_EPOCHS = `CASE WHEN t.status = 'pruned'
  THEN coalesce((SELECT max(d.epoch) FROM search_decisions d WHERE d.trial_id = t.id AND d.decision = 'stopped'), 0)
  ELSE t.planned_epochs END`;

export async function checkRows(pool: Pool, sweepId: string): Promise<RowCheck> {
  const one = async (sql: string): Promise<number> =>
    (await pool.query<{ n: number }>(sql, [sweepId])).rows[0]?.n ?? 0;
  const statusRows = await pool.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM trials WHERE sweep_id = $1 GROUP BY status ORDER BY status',
    [sweepId],
  );
  const statuses = Object.fromEntries(statusRows.rows.map((r) => [r.status, r.n]));
  const trialsExpected = await one('SELECT trial_count AS n FROM sweeps WHERE id = $1');
  // A pruned trial's rows came with the pause of the attempt it was pruned at: its newest attempt.
  const staleAttemptRows = await one(
    `SELECT ((SELECT count(*) FROM epoch_metrics e JOIN trials t ON t.id = e.trial_id
               WHERE t.sweep_id = $1 AND t.status IN ('completed', 'pruned') AND e.attempt <> t.attempts)
           + (SELECT count(*) FROM layer_metrics l JOIN trials t ON t.id = l.trial_id
               WHERE t.sweep_id = $1 AND t.status IN ('completed', 'pruned') AND l.attempt <> t.attempts))::int AS n`,
  );
  const missingEpochRows = await one(
    `SELECT coalesce(sum(${EXPECTED_EPOCHS} - (SELECT count(DISTINCT e.epoch) FROM epoch_metrics e
                                                WHERE e.trial_id = t.id AND e.epoch <= ${EXPECTED_EPOCHS})), 0)::int AS n
       FROM trials t WHERE t.sweep_id = $1`,
  );
  const extraEpochRows = await one(
    `SELECT count(*)::int AS n FROM epoch_metrics e JOIN trials t ON t.id = e.trial_id
      WHERE t.sweep_id = $1 AND e.epoch > ${EXPECTED_EPOCHS}`,
  );
  const searchDecisionProblems = await one(
    `WITH rungs AS (
       SELECT t.variant, d.rung, count(*) AS candidates,
              count(*) FILTER (WHERE d.decision = 'promoted') AS promoted,
              (s.spec #>> '{search,reductionFactor}')::int AS eta
         FROM search_decisions d JOIN trials t ON t.id = d.trial_id JOIN sweeps s ON s.id = d.sweep_id
        WHERE d.sweep_id = $1 GROUP BY t.variant, d.rung, s.spec
     ), per_trial AS (
       SELECT t.id, t.status,
              count(*) FILTER (WHERE d.decision = 'stopped') AS stopped,
              count(*) FILTER (WHERE d.decision = 'promoted') AS promoted,
              min(d.rung) FILTER (WHERE d.decision = 'stopped') AS stopped_at,
              max(d.rung) AS last_rung
         FROM trials t LEFT JOIN search_decisions d ON d.trial_id = t.id
        WHERE t.sweep_id = $1 GROUP BY t.id, t.status
     ), rung_count AS (SELECT count(DISTINCT rung) AS n FROM search_decisions WHERE sweep_id = $1)
     SELECT ((SELECT count(*) FROM rungs WHERE promoted <> greatest(1, candidates / eta))
           + (SELECT count(*) FROM per_trial WHERE status = 'pruned' AND stopped <> 1)
           + (SELECT count(*) FROM per_trial WHERE stopped_at IS NOT NULL AND last_rung > stopped_at)
           + (SELECT count(*) FROM per_trial, rung_count
               WHERE status = 'completed' AND rung_count.n > 0 AND promoted <> rung_count.n))::int AS n`,
  );
  // A trial's layers: every index any of its epochs stored. Each stored epoch needs each of them twice.
  const missingLayerRows = await one(
    `WITH per_trial AS (
       SELECT l.trial_id, count(DISTINCT l.layer_index) AS layers
         FROM layer_metrics l JOIN trials t ON t.id = l.trial_id WHERE t.sweep_id = $1 GROUP BY l.trial_id
     )
     SELECT coalesce(sum(2 * coalesce(p.layers, 0)
                         - (SELECT count(*) FROM layer_metrics l
                             WHERE l.trial_id = e.trial_id AND l.epoch = e.epoch)), 0)::int AS n
       FROM epoch_metrics e JOIN trials t ON t.id = e.trial_id
       LEFT JOIN per_trial p ON p.trial_id = e.trial_id
      WHERE t.sweep_id = $1`,
  );
  const noLayers = await one(
    `SELECT count(*)::int AS n FROM epoch_metrics e JOIN trials t ON t.id = e.trial_id
      WHERE t.sweep_id = $1 AND NOT EXISTS (SELECT 1 FROM layer_metrics l WHERE l.trial_id = e.trial_id)`,
  );
  return {
    trialsExpected,
    trialsCompleted: statuses.completed ?? 0,
    trialsPruned: statuses.pruned ?? 0,
    statuses,
    staleAttemptRows,
    missingEpochRows,
    // An epoch row of a trial with no layer rows at all would otherwise go unnoticed.
    missingLayerRows: missingLayerRows + noLayers,
    extraEpochRows,
    searchDecisionProblems,
  };
}

/**
 * Epochs trained more than once, from the workers' logs: every `epoch done` record is one epoch trained
 * and checkpointed; a (trial, epoch) logged n times was trained n − 1 times too many. Epochs replayed
 * from a checkpoint are not logged, so a resume that works costs nothing here.
 */
export function countRetrainedEpochs(logs: Iterable<readonly LogRecord[]>): {
  epochsTrained: number;
  epochsRetrained: number;
  retrained: { trialId: string; epoch: number; times: number }[];
} {
  const counts = new Map<string, number>();
  for (const records of logs) {
    for (const record of records) {
      if (record.msg !== 'epoch done') continue;
      if (typeof record.trialId !== 'string' || typeof record.epoch !== 'number') continue;
      const key = `${record.trialId}:${record.epoch}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  let epochsTrained = 0;
  let epochsRetrained = 0;
  const retrained: { trialId: string; epoch: number; times: number }[] = [];
  for (const [key, times] of counts) {
    epochsTrained += times;
    if (times < 2) continue;
    epochsRetrained += times - 1;
    const [trialId, epoch] = key.split(':') as [string, string];
    retrained.push({ trialId, epoch: Number(epoch), times });
  }
  return { epochsTrained, epochsRetrained, retrained };
}
