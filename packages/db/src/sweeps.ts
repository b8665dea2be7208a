import type { Pool } from 'pg';
import {
  canonicalJson,
  expandSweep,
  plannedSearchEpochs,
  type SweepSpec,
  sweepIdFor,
  type TrialConfig,
  trialIdFor,
  variantOf,
} from '@satfarm/contracts';
import { withClient, withTransaction } from './connection.ts';
import { AmbiguousIdError, InvalidTrialsError, NotFoundError } from './errors.ts';
import { settleSweeps } from './settle-sweeps.ts';
import { type SweepStatus, TRIAL_STATUSES, type TrialStatus } from './statuses.ts';

export interface NewTrial {
  id: string;
  config: TrialConfig;
}

export interface CreateSweepResult {
  sweepId: string;
  /** False when this spec's sweep already existed. */
  created: boolean;
  /** Every trial of the sweep, in expansion order. */
  trialIds: string[];
  /** Trials written by this call (empty when the sweep existed). */
  newTrialIds: string[];
}

/**
 * Writes a sweep and its trials in one transaction; writing the same spec again creates nothing.
 * `trials` defaults to `expandSweep(spec)`; when given (e.g. after the caller checked each config
 * against the architecture), each id must be `trialIdFor(sweepIdFor(spec), config)`.
 */
export async function createSweep(
  pool: Pool,
  spec: SweepSpec,
  trials?: readonly NewTrial[],
): Promise<CreateSweepResult> {
  const sweepId = sweepIdFor(spec);
  const list = trials ?? expandSweep(spec).map((config) => ({ id: trialIdFor(sweepId, config), config }));
  checkTrials(sweepId, list);
  return withTransaction(pool, async (client) => {
    const sweep = await client.query(
      `INSERT INTO sweeps (id, name, spec, trial_count) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [sweepId, spec.name, canonicalJson(spec), list.length],
    );
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO trials (id, sweep_id, ordinal, config, architecture, variant, resolution, seed, width_multiplier, planned_epochs)
       SELECT u.id, $1, u.ordinal, u.config, u.architecture, u.variant, u.resolution, u.seed, u.width_multiplier, u.planned_epochs
       FROM unnest($2::text[], $3::int[], $4::jsonb[], $5::text[], $6::text[], $7::int[], $8::int[], $9::float8[], $10::int[])
            AS u(id, ordinal, config, architecture, variant, resolution, seed, width_multiplier, planned_epochs)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        sweepId,
        list.map((t) => t.id),
        list.map((_, i) => i),
        list.map((t) => canonicalJson(t.config)),
        list.map((t) => t.config.architecture),
        list.map((t) => variantOf(t.config)),
        list.map((t) => t.config.resolution),
        list.map((t) => t.config.seed),
        list.map((t) => t.config.widthMultiplier),
        list.map((t) => t.config.training.epochs),
      ],
    );
    const newIds = new Set(inserted.rows.map((r) => r.id));
    const trialIds = list.map((t) => t.id);
    return {
      sweepId,
      created: (sweep.rowCount ?? 0) > 0,
      trialIds,
      newTrialIds: trialIds.filter((id) => newIds.has(id)),
    };
  });
}

function checkTrials(sweepId: string, trials: readonly NewTrial[]): void {
  const seen = new Set<string>();
  for (const trial of trials) {
    const expected = trialIdFor(sweepId, trial.config);
    if (trial.id !== expected) {
      throw new InvalidTrialsError(trial.id, `id is not trialIdFor(sweepId, config) (expected ${expected})`);
    }
    if (seen.has(trial.id)) throw new InvalidTrialsError(trial.id, 'listed twice (each trial config once)');
    seen.add(trial.id);
  }
}

export interface SweepRow {
  id: string;
  name: string;
  status: SweepStatus;
  spec: SweepSpec;
  trialCount: number;
  createdAt: Date;
  completedAt: Date | null;
}

const SWEEP_COLUMNS = `id, name, status, spec, trial_count AS "trialCount", created_at AS "createdAt", completed_at AS "completedAt"`;

/** An id prefix must be this long (and at most one shorter than an id) to count. */
const ID_PREFIX = /^[0-9a-f]{4,31}$/;
/** Candidates listed when a reference is ambiguous (the newest first). */
const LISTED_CANDIDATES = 8;

/**
 * A sweep by exact id, by name or by an id prefix of at least 4 characters. An exact full id always
 * wins. Otherwise the name and the prefix are looked up together and must fit exactly one sweep: two
 * sweeps of one name (two specs, one `name`), a prefix several ids share, or a name that is also
 * another sweep's id prefix throw AmbiguousIdError listing them (id, name, created time), since picking
 * one would resume, cancel or report the wrong sweep silently. Nothing fits: NotFoundError listing
 * recent sweeps.
 */
export async function findSweep(pool: Pool, idOrName: string): Promise<SweepRow> {
  return withClient(pool, async (client) => {
    const exact = await client.query<SweepRow>(`SELECT ${SWEEP_COLUMNS} FROM sweeps WHERE id = $1`, [
      idOrName,
    ]);
    if (exact.rows[0] !== undefined) return exact.rows[0];
    const matches = await client.query<SweepRow & { total: number }>(
      `SELECT ${SWEEP_COLUMNS}, count(*) OVER ()::int AS total FROM sweeps
       WHERE name = $1 OR ($2 AND starts_with(id, $1))
       ORDER BY created_at DESC, id LIMIT $3`,
      [idOrName, ID_PREFIX.test(idOrName), LISTED_CANDIDATES],
    );
    const [first, second] = matches.rows;
    if (first !== undefined && second === undefined) {
      const { total: _total, ...sweep } = first;
      return sweep;
    }
    if (first !== undefined) {
      throw new AmbiguousIdError(
        'sweep',
        idOrName,
        matches.rows.map((r) => ({ id: r.id, label: JSON.stringify(r.name), createdAt: r.createdAt })),
        first.total,
      );
    }
    const recent = await client.query<{ id: string; name: string }>(
      'SELECT id, name FROM sweeps ORDER BY created_at DESC, id LIMIT 5',
    );
    const known = recent.rows.map((r) => `${r.name} (${r.id.slice(0, 8)})`).join(', ');
    throw new NotFoundError(
      'sweep',
      idOrName,
      `give a sweep id, a unique id prefix of at least 4 characters, or a sweep name; ${
        known === ''
          ? 'there are no sweeps yet (`satfarm sweep create SPEC.yaml`)'
          : `recent sweeps: ${known}`
      }`,
    );
  });
}

export interface SweepProgress {
  sweepId: string;
  name: string;
  status: SweepStatus;
  trialCount: number;
  /** Trials per status (every status present, zero when none). */
  counts: Record<TrialStatus, number>;
  /** No trial is queued or running any more (the sweep is completed or cancelled). */
  done: boolean;
  /**
   * Epochs stored so far, and planned: trials × epochs, or for a successive-halving search what it
   * trains if no trial fails (`gridEpochs` is then what the full grid would have trained).
   */
  epochsDone: number;
  epochsExpected: number;
  gridEpochs: number;
  createdAt: Date;
  completedAt: Date | null;
}

export async function sweepStatus(pool: Pool, sweepId: string): Promise<SweepProgress> {
  return withClient(pool, async (client) => {
    const sweep = await client.query<{
      name: string;
      status: SweepStatus;
      trialCount: number;
      createdAt: Date;
      completedAt: Date | null;
      spec: SweepSpec;
    }>(
      `SELECT name, status, trial_count AS "trialCount", created_at AS "createdAt", completed_at AS "completedAt", spec
       FROM sweeps WHERE id = $1`,
      [sweepId],
    );
    const row = sweep.rows[0];
    if (row === undefined)
      throw new NotFoundError(
        'sweep',
        sweepId,
        'no sweep has this id (findSweep resolves names and prefixes)',
      );
    const groups = await client.query<{ status: TrialStatus; trials: number; done: number; planned: number }>(
      `SELECT status, count(*)::int AS trials,
              sum(least(last_epoch, planned_epochs))::int AS done, sum(planned_epochs)::int AS planned
       FROM trials WHERE sweep_id = $1 GROUP BY status`,
      [sweepId],
    );
    const counts = Object.fromEntries(TRIAL_STATUSES.map((s) => [s, 0])) as Record<TrialStatus, number>;
    let epochsDone = 0;
    let gridEpochs = 0;
    for (const g of groups.rows) {
      counts[g.status] = g.trials;
      epochsDone += g.done;
      gridEpochs += g.planned;
    }
    let epochsExpected = gridEpochs;
    if (row.spec.search?.strategy === 'successive-halving') {
      // Rungs are decided per architecture variant: the plan adds up over them.
      const variants = await client.query<{ trials: number }>(
        'SELECT count(*)::int AS trials FROM trials WHERE sweep_id = $1 GROUP BY architecture, variant',
        [sweepId],
      );
      epochsExpected = variants.rows.reduce(
        (sum, v) => sum + plannedSearchEpochs(row.spec.search, row.spec.training.epochs, v.trials),
        0,
      );
    }
    return {
      sweepId,
      name: row.name,
      status: row.status,
      trialCount: row.trialCount,
      counts,
      done: row.status !== 'running' && counts.queued + counts.running + counts.paused === 0,
      epochsDone,
      epochsExpected,
      gridEpochs,
      createdAt: row.createdAt,
      completedAt: row.completedAt,
    };
  });
}

/**
 * Marks completed the sweep's unfinished trials whose epoch rows already cover every planned epoch
 * (their last `finished` event was lost with Redis after the epochs were written, or a cancel came
 * during the last epoch), so that `sweep resume` never trains again what is whole. Every epoch row
 * carries its layers and, on the last epoch, its projection, so nothing the finished event would
 * have brought is missing. Returns the ids completed.
 */
export async function completeTrialsWithAllEpochs(pool: Pool, sweepId: string): Promise<string[]> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT id FROM sweeps WHERE id = $1 FOR NO KEY UPDATE', [sweepId]);
    const { rows } = await client.query<{ id: string }>(
      `UPDATE trials t SET status = 'completed', finished_at = now(), error = NULL, updated_at = now()
        WHERE t.sweep_id = $1 AND t.status IN ('queued', 'running', 'failed', 'cancelled')
          AND (SELECT count(DISTINCT e.epoch) FROM epoch_metrics e
                WHERE e.trial_id = t.id AND e.epoch BETWEEN 1 AND t.planned_epochs) = t.planned_epochs
        RETURNING t.id`,
      [sweepId],
    );
    if (rows.length > 0) {
      // A cancelled sweep stays cancelled; a running one whose last open trials these were completes.
      await settleSweeps(client, [sweepId]);
    }
    return rows.map((r) => r.id).sort();
  });
}

export interface UnfinishedTrial {
  id: string;
  config: TrialConfig;
  status: TrialStatus;
  /** Newest attempt so far: a re-enqueued job must number its attempts after it. */
  attempts: number;
  /** The search stage it trains in (0 in a grid sweep): names its job and its epoch budget. */
  searchRung: number;
}

/**
 * Trials that did not end well and can run again: queued, running (perhaps orphaned), failed and
 * cancelled, in expansion order. Completed and diverged trials are never re-run.
 */
export async function unfinishedTrials(pool: Pool, sweepId: string): Promise<UnfinishedTrial[]> {
  return withClient(pool, async (client) => {
    const { rows } = await client.query<UnfinishedTrial>(
      `SELECT id, config, status, attempts, search_rung AS "searchRung" FROM trials
       WHERE sweep_id = $1 AND status IN ('queued', 'running', 'failed', 'cancelled')
       ORDER BY ordinal`,
      [sweepId],
    );
    return rows;
  });
}

/**
 * Puts trials back to `queued` before they are re-enqueued (resume). Completed and diverged trials
 * are left alone; their sweeps go back to running. Returns the ids that were requeued.
 */
export async function markTrialsQueued(pool: Pool, trialIds: readonly string[]): Promise<string[]> {
  if (trialIds.length === 0) return [];
  return withTransaction(pool, async (client) => {
    const owners = await client.query<{ sweep_id: string }>(
      'SELECT DISTINCT sweep_id FROM trials WHERE id = ANY($1::text[]) ORDER BY sweep_id',
      [[...trialIds]],
    );
    const sweepIds = owners.rows.map((r) => r.sweep_id);
    await client.query('SELECT id FROM sweeps WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE', [
      sweepIds,
    ]);
    const locked = await client.query<{ id: string }>(
      `SELECT id FROM trials WHERE id = ANY($1::text[]) AND status NOT IN ('completed', 'diverged')
       ORDER BY id FOR NO KEY UPDATE`,
      [[...trialIds]],
    );
    const ids = locked.rows.map((r) => r.id);
    if (ids.length === 0) return [];
    await client.query(
      `UPDATE trials SET status = 'queued', finished_at = NULL, error = NULL, updated_at = now()
       WHERE id = ANY($1::text[])`,
      [ids],
    );
    await client.query(
      `UPDATE sweeps SET status = 'running', completed_at = NULL
       WHERE id IN (SELECT DISTINCT sweep_id FROM trials WHERE id = ANY($1::text[])) AND status <> 'running'`,
      [ids],
    );
    return ids;
  });
}

export interface CancelResult {
  status: SweepStatus;
  /** Trials that were queued or running; their queue jobs should be removed. */
  cancelledTrialIds: string[];
  /** The same trials with their search stage, which names their queue job. */
  cancelledTrials: { id: string; searchRung: number }[];
}

/** Cancels a running sweep: its queued, running and paused trials become cancelled. A completed sweep stays completed. */
export async function markSweepCancelled(pool: Pool, sweepId: string): Promise<CancelResult> {
  return withTransaction(pool, async (client) => {
    const sweep = await client.query<{ status: SweepStatus }>(
      'SELECT status FROM sweeps WHERE id = $1 FOR NO KEY UPDATE',
      [sweepId],
    );
    const current = sweep.rows[0];
    if (current === undefined) throw new NotFoundError('sweep', sweepId, 'no sweep has this id');
    const open = await client.query<{ id: string; searchRung: number }>(
      `SELECT id, search_rung AS "searchRung" FROM trials WHERE sweep_id = $1 AND status IN ('queued', 'running', 'paused')
       ORDER BY id FOR NO KEY UPDATE`,
      [sweepId],
    );
    const ids = open.rows.map((r) => r.id);
    if (ids.length > 0) {
      await client.query(
        `UPDATE trials SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE id = ANY($1::text[])`,
        [ids],
      );
    }
    if (current.status === 'completed' && ids.length === 0)
      return { status: 'completed', cancelledTrialIds: [], cancelledTrials: [] };
    await client.query(`UPDATE sweeps SET status = 'cancelled', completed_at = NULL WHERE id = $1`, [
      sweepId,
    ]);
    return { status: 'cancelled', cancelledTrialIds: ids, cancelledTrials: open.rows };
  });
}
