import type { Pool, PoolClient } from 'pg';
import type { EpochEvent, FinishedEvent, PausedEvent, ResultEvent, StartedEvent } from '@satfarm/contracts';
import { deleteCheckpoints } from './checkpoint-rows.ts';
import { withTransaction } from './connection.ts';
import { IncompleteHistoryError } from './errors.ts';
import { upsertProjections } from './ingest-projections.ts';
import { decideDueRungs, type Promotion, searchedSweepTrialIds } from './search-decisions.ts';
import { settleSweeps } from './settle-sweeps.ts';
import type { TrialStatus } from './statuses.ts';
import { applyStatusEvent, type TrialState } from './trial-transitions.ts';

export interface IngestResult {
  /** epoch_metrics rows inserted or updated. */
  epochRows: number;
  /** layer_metrics rows inserted or updated. */
  layerRows: number;
  /** projection_metrics rows inserted or updated. */
  projectionRows: number;
  /** started/finished events that changed a trial's status. */
  statusChanges: number;
  /** Events ignored because their trial is unknown (or belongs to another sweep). */
  unknownTrialEvents: number;
  /** Sweeps that this batch completed. */
  completedSweeps: string[];
  /**
   * Search trials promoted to their next stage and waiting for its job (see `decideDueRungs`): the
   * caller adds their jobs once this transaction has committed.
   */
  promotions: Promotion[];
}

interface LockedTrial extends TrialState {
  id: string;
  sweepId: string;
}

/**
 * Writes a batch of result events in one transaction, one statement per table:
 * epoch and layer rows are upserted on their natural keys (a row written by a newer attempt is never
 * overwritten by an older one), status events go through `applyStatusEvent` in batch order, and a sweep
 * whose last open trial ended is marked completed. A `completed` event's epoch history is upserted like
 * epoch events, so the transaction that completes a trial also holds every one of its epoch rows.
 * Delivering the same batch twice changes nothing.
 */
export async function ingestEvents(pool: Pool, events: readonly ResultEvent[]): Promise<IngestResult> {
  const result: IngestResult = {
    epochRows: 0,
    layerRows: 0,
    projectionRows: 0,
    statusChanges: 0,
    unknownTrialEvents: 0,
    completedSweeps: [],
    promotions: [],
  };
  if (events.length === 0) return result;
  return withTransaction(pool, async (client) => {
    const statusEvents = events.filter(
      (e): e is StartedEvent | FinishedEvent | PausedEvent => e.type !== 'epoch',
    );
    // Lock order everywhere: sweeps, then trials, each by id. Sweeps are locked only when statuses may
    // change, so that two aggregators finishing a sweep's last trials see each other's commits.
    const sweepIds = uniqueSorted(statusEvents.map((e) => e.sweepId));
    if (sweepIds.length > 0) {
      await client.query('SELECT id FROM sweeps WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE', [
        sweepIds,
      ]);
    }
    // A rung decision may change every trial of a searched sweep: they are locked here, with the
    // events' trials, in one ordered statement.
    const trials = await lockTrials(
      client,
      uniqueSorted([...events.map((e) => e.trialId), ...(await searchedSweepTrialIds(client, sweepIds))]),
    );
    const known = events.filter((e) => trials.get(e.trialId)?.sweepId === e.sweepId);
    result.unknownTrialEvents = events.length - known.length;

    const changed = new Set<string>();
    for (const event of known) {
      if (event.type === 'epoch') continue;
      const trial = trials.get(event.trialId)!;
      const next = applyStatusEvent(trial, event);
      if (next === null) continue;
      Object.assign(trial, next);
      changed.add(trial.id);
      result.statusChanges += 1;
    }

    // A completed trial's rows are its completing attempt's (sent again with `completed`): a run that
    // went on after another attempt completed the trial (a takeover racing the original) writes none.
    // A pruned trial's likewise: they are the pause its rung decided on, not a late rerun of its stage.
    const epochEvents = newestPerEpoch(
      known.flatMap(epochEventsOf).filter((e) => {
        const trial = trials.get(e.trialId)!;
        const final = trial.status === 'completed' || trial.status === 'pruned';
        return !final || e.attempt === trial.attempts;
      }),
    );
    result.epochRows = await upsertEpochs(client, epochEvents);
    result.layerRows = await upsertLayers(client, epochEvents);
    result.projectionRows = await upsertProjections(client, epochEvents);

    await checkCompletedHaveEveryEpoch(
      client,
      [...changed].filter((id) => trials.get(id)!.status === 'completed'),
    );
    // A trial that ended for good needs its checkpoint no more. Removed here, in the transaction that
    // records the end, rather than by the worker: until then a resume (after Redis lost the results)
    // finds the checkpoint and replays it instead of training the trial again.
    await deleteCheckpoints(
      client,
      [...changed].filter((id) => ['completed', 'diverged'].includes(trials.get(id)!.status)),
    );

    const touched = new Set([...changed, ...epochEvents.map((e) => e.trialId)]);
    await updateTrials(
      client,
      [...touched].sort().map((id) => ({ trial: trials.get(id)!, changed: changed.has(id) })),
    );

    // Asked for every sweep with a status event, changed or not: a failed trial may be the last one a
    // rung waited for, and a pause delivered again must find the promotions its first delivery made.
    result.promotions = await decideDueRungs(
      client,
      sweepIds,
      new Set(known.filter((e) => e.type === 'paused').map((e) => e.trialId)),
    );
    const sweepsToCheck = uniqueSorted([...changed].map((id) => trials.get(id)!.sweepId));
    result.completedSweeps = await settleSweeps(client, sweepsToCheck);
    return result;
  });
}

async function lockTrials(client: PoolClient, ids: string[]): Promise<Map<string, LockedTrial>> {
  const { rows } = await client.query<{
    id: string;
    sweep_id: string;
    status: TrialStatus;
    attempts: number;
    worker: string | null;
    backend: string | null;
    device: string | null;
    started_at: string | null;
    finished_at: string | null;
    error: string | null;
    search_rung: number;
  }>(
    `SELECT id, sweep_id, status, attempts, worker, backend, device,
            started_at::text AS started_at, finished_at::text AS finished_at, error, search_rung
       FROM trials WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        sweepId: r.sweep_id,
        status: r.status,
        attempts: r.attempts,
        worker: r.worker,
        backend: r.backend,
        device: r.device,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        error: r.error,
        searchRung: r.search_rung,
      },
    ]),
  );
}

/** The epoch rows an event carries: its own result, or a completed or paused trial's whole history. */
function epochEventsOf(event: ResultEvent): EpochEvent[] {
  if (event.type === 'epoch') return [event];
  if (event.type === 'started' || event.epochs === undefined) return [];
  const { trialId, sweepId, attempt } = event;
  return event.epochs.map((result) => ({ type: 'epoch', trialId, sweepId, attempt, result }));
}

/**
 * A trial becomes completed only with every planned epoch's row in PostgreSQL (written by this batch or
 * an earlier one): otherwise the whole batch rolls back and its events are retried, so an epoch whose
 * event is still on its way is waited for, and one that was lost can never leave a completed trial
 * with a hole. (Workers send the history with `completed`, so this holds at the first try.)
 */
async function checkCompletedHaveEveryEpoch(client: PoolClient, trialIds: readonly string[]): Promise<void> {
  if (trialIds.length === 0) return;
  const { rows } = await client.query<{ id: string; planned: number; stored: number }>(
    `SELECT t.id, t.planned_epochs AS planned,
            (SELECT count(DISTINCT e.epoch)::int FROM epoch_metrics e
              WHERE e.trial_id = t.id AND e.epoch BETWEEN 1 AND t.planned_epochs) AS stored
       FROM trials t WHERE t.id = ANY($1::text[]) ORDER BY t.id`,
    [[...trialIds]],
  );
  const short = rows.filter((r) => r.stored < r.planned);
  if (short.length > 0) {
    throw new IncompleteHistoryError(
      `not marking ${short.length} trial(s) completed with epochs missing: ` +
        short.map((r) => `${r.id} has ${r.stored} of ${r.planned} epochs`).join(', '),
    );
  }
}

/**
 * One event per (trial, epoch): ON CONFLICT cannot touch a row twice in one statement. The newest
 * attempt wins; between equal attempts, the later event.
 */
function newestPerEpoch(events: readonly EpochEvent[]): EpochEvent[] {
  const byKey = new Map<string, EpochEvent>();
  for (const event of events) {
    const key = `${event.trialId}:${event.result.epoch}`;
    const seen = byKey.get(key);
    if (seen === undefined || event.attempt >= seen.attempt) byKey.set(key, event);
  }
  return [...byKey.values()];
}

async function upsertEpochs(client: PoolClient, events: readonly EpochEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const cols = {
    trialId: [] as string[],
    epoch: [] as number[],
    attempt: [] as number[],
    trainLoss: [] as number[],
    trainAccuracy: [] as number[],
    testLoss: [] as number[],
    testAccuracy: [] as number[],
    seconds: [] as number[],
    backend: [] as string[],
    tailLength: [] as (number | null)[],
  };
  for (const { trialId, attempt, result } of events) {
    cols.trialId.push(trialId);
    cols.epoch.push(result.epoch);
    cols.attempt.push(attempt);
    cols.trainLoss.push(result.trainLoss);
    cols.trainAccuracy.push(result.trainAccuracy);
    cols.testLoss.push(result.testLoss);
    cols.testAccuracy.push(result.testAccuracy);
    cols.seconds.push(result.seconds);
    cols.backend.push(result.backend);
    cols.tailLength.push(result.tailLength ?? null);
  }
  const res = await client.query(
    `INSERT INTO epoch_metrics AS m
       (trial_id, epoch, attempt, train_loss, train_accuracy, test_loss, test_accuracy, seconds, backend,
        tail_length)
     SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::float8[], $5::float8[], $6::float8[],
                          $7::float8[], $8::float8[], $9::text[], $10::int[])
     ON CONFLICT (trial_id, epoch) DO UPDATE SET
       attempt = EXCLUDED.attempt, train_loss = EXCLUDED.train_loss, train_accuracy = EXCLUDED.train_accuracy,
       test_loss = EXCLUDED.test_loss, test_accuracy = EXCLUDED.test_accuracy, seconds = EXCLUDED.seconds,
       backend = EXCLUDED.backend, tail_length = EXCLUDED.tail_length, recorded_at = now()
     WHERE m.attempt <= EXCLUDED.attempt`,
    [
      cols.trialId,
      cols.epoch,
      cols.attempt,
      cols.trainLoss,
      cols.trainAccuracy,
      cols.testLoss,
      cols.testAccuracy,
      cols.seconds,
      cols.backend,
      cols.tailLength,
    ],
  );
  return res.rowCount ?? 0;
}

async function upsertLayers(client: PoolClient, events: readonly EpochEvent[]): Promise<number> {
  // One JSON parameter, one array per layer, expanded to a train and an eval row in SQL: V8 serialises
  // it natively, where twelve parallel arrays were escaped element by element in JavaScript by
  // node-postgres (5× the client CPU per row, with PostgreSQL's share unchanged).
  const rows: LayerRow[] = [];
  for (const { trialId, attempt, result } of events) {
    // A layer index listed twice in one result would make the statement touch a row twice: last wins.
    const layers = new Map(result.layers.map((layer) => [layer.index, layer]));
    for (const l of layers.values()) {
      rows.push([
        trialId,
        result.epoch,
        l.index,
        attempt,
        l.name,
        l.kind,
        l.width,
        l.receptiveField,
        l.unproductive,
        l.train.k,
        l.train.saturation,
        l.eval.k,
        l.eval.saturation,
      ]);
    }
  }
  if (rows.length === 0) return 0;
  const res = await client.query(
    `INSERT INTO layer_metrics AS m
       (trial_id, epoch, layer_index, mode, attempt, layer_name, kind, width, receptive_field, unproductive, k, saturation)
     SELECT r->>0, (r->>1)::int, (r->>2)::int, mode.name, (r->>3)::int, r->>4, r->>5, (r->>6)::int,
            (r->>7)::int, (r->>8)::bool, (r->>mode.k)::int, (r->>mode.s)::float8
       FROM jsonb_array_elements($1::jsonb) AS r
       CROSS JOIN (VALUES ('train', 9, 10), ('eval', 11, 12)) AS mode(name, k, s)
     ON CONFLICT (trial_id, epoch, layer_index, mode) DO UPDATE SET
       attempt = EXCLUDED.attempt, layer_name = EXCLUDED.layer_name, kind = EXCLUDED.kind, width = EXCLUDED.width,
       receptive_field = EXCLUDED.receptive_field, unproductive = EXCLUDED.unproductive, k = EXCLUDED.k,
       saturation = EXCLUDED.saturation
     WHERE m.attempt <= EXCLUDED.attempt`,
    [JSON.stringify(rows)],
  );
  return res.rowCount ?? 0;
}

/** One layer of one epoch result, both modes, in the order the SQL above reads it. */
type LayerRow = [
  trialId: string,
  epoch: number,
  layerIndex: number,
  attempt: number,
  name: string,
  kind: string,
  width: number,
  receptiveField: number,
  unproductive: boolean,
  trainK: number,
  trainSaturation: number,
  evalK: number,
  evalSaturation: number,
];

/**
 * Writes the new status of changed trials and refreshes every touched trial's last epoch and
 * final metrics from epoch_metrics (derived, so the order events arrived in does not matter).
 */
async function updateTrials(
  client: PoolClient,
  rows: readonly { trial: LockedTrial; changed: boolean }[],
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `UPDATE trials t SET
       status      = CASE WHEN u.changed THEN u.status ELSE t.status END,
       attempts    = CASE WHEN u.changed THEN u.attempts ELSE t.attempts END,
       worker      = CASE WHEN u.changed THEN u.worker ELSE t.worker END,
       backend     = CASE WHEN u.changed THEN u.backend ELSE t.backend END,
       device      = CASE WHEN u.changed THEN u.device ELSE t.device END,
       started_at  = CASE WHEN u.changed THEN u.started_at ELSE t.started_at END,
       finished_at = CASE WHEN u.changed THEN u.finished_at ELSE t.finished_at END,
       error       = CASE WHEN u.changed THEN u.error ELSE t.error END,
       last_epoch  = coalesce(e.epoch, 0),
       final_train_loss = e.train_loss,
       final_train_accuracy = e.train_accuracy,
       final_test_loss = e.test_loss,
       final_test_accuracy = e.test_accuracy,
       updated_at  = now()
     FROM unnest($1::text[], $2::bool[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[],
                 $8::timestamptz[], $9::timestamptz[], $10::text[])
          AS u(id, changed, status, attempts, worker, backend, device, started_at, finished_at, error)
     LEFT JOIN LATERAL (
       SELECT em.epoch, em.train_loss, em.train_accuracy, em.test_loss, em.test_accuracy
       FROM epoch_metrics em WHERE em.trial_id = u.id ORDER BY em.epoch DESC LIMIT 1
     ) e ON true
     WHERE t.id = u.id`,
    [
      rows.map((r) => r.trial.id),
      rows.map((r) => r.changed),
      rows.map((r) => r.trial.status),
      rows.map((r) => r.trial.attempts),
      rows.map((r) => r.trial.worker),
      rows.map((r) => r.trial.backend),
      rows.map((r) => r.trial.device),
      rows.map((r) => r.trial.startedAt),
      rows.map((r) => r.trial.finishedAt),
      rows.map((r) => r.trial.error),
    ],
  );
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
