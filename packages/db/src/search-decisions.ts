import type { Pool, PoolClient } from 'pg';
import {
  epochBudget,
  rungEpochs,
  type SuccessiveHalving,
  type SweepSpec,
  type TrialConfig,
} from '@satfarm/contracts';
import { decideRung, type RungDecision, type TrialSnapshot } from '@satfarm/search';
import { deleteCheckpoints } from './checkpoint-rows.ts';
import { withTransaction } from './connection.ts';
import { IncompleteHistoryError } from './errors.ts';
import { searchGroup } from './search-signal-rows.ts';
import { settleSweeps } from './settle-sweeps.ts';
import type { TrialStatus } from './statuses.ts';

/** A trial a rung's decision moved on: the job of its next stage, to add once the decision commits. */
export interface Promotion {
  sweepId: string;
  trialId: string;
  config: TrialConfig;
  /** The stage it trains in now (names its job) and the epoch that stage ends at. */
  rung: number;
  untilEpoch: number;
  /** The trial's newest attempt so far: the job numbers its attempts after it. */
  attemptsBefore: number;
  /** Runs of the job before the trial is recorded as failed (spec `retries` + 1). */
  attempts: number;
}

interface SearchTrial {
  id: string;
  config: TrialConfig;
  architecture: string;
  variant: string;
  resolution: number;
  seed: number;
  status: TrialStatus;
  searchRung: number;
  attempts: number;
}

/** The searched sweeps among these, with their spec: only they have rungs to decide. */
export async function searchedSweeps(
  client: PoolClient,
  sweepIds: readonly string[],
): Promise<Map<string, { status: string; spec: SweepSpec }>> {
  if (sweepIds.length === 0) return new Map();
  const { rows } = await client.query<{ id: string; status: string; spec: SweepSpec }>(
    `SELECT id, status, spec FROM sweeps
      WHERE id = ANY($1::text[]) AND spec->'search'->>'strategy' = 'successive-halving' ORDER BY id`,
    [[...sweepIds]],
  );
  return new Map(rows.map((r) => [r.id, { status: r.status, spec: r.spec }]));
}

/**
 * Every trial id of the searched sweeps among these: the ingest transaction locks them with the
 * event's trials, in one statement ordered by id, because a decision updates trials of the whole
 * architecture variant (locking them later, out of order, could deadlock with another batch).
 */
export async function searchedSweepTrialIds(
  client: PoolClient,
  sweepIds: readonly string[],
): Promise<string[]> {
  if (sweepIds.length === 0) return [];
  const { rows } = await client.query<{ id: string }>(
    `SELECT t.id FROM trials t JOIN sweeps s ON s.id = t.sweep_id
      WHERE s.id = ANY($1::text[]) AND s.spec->'search'->>'strategy' = 'successive-halving'`,
    [[...sweepIds]],
  );
  return rows.map((r) => r.id);
}

/**
 * Takes every rung decision that is due in these sweeps, inside the caller's transaction (which holds
 * the sweeps' and their trials' locks). A rung is due in an architecture variant when none of its
 * trials is queued or running and some are paused: the paused ones are ranked (`decideRung`), the best
 * 1/η promoted to the next stage (`queued`, one more `search_rung`) and the rest `pruned` (rows kept,
 * checkpoint removed). Each decision is a `search_decisions` row keyed by (trial, rung), so a decision
 * is taken once however often this runs. Cancelled sweeps decide nothing until resumed.
 *
 * Returns the promoted trials waiting for their job: those promoted now, and those among `pausedNow`
 * (trials whose pause this batch delivered) that an earlier delivery promoted already — its jobs may
 * have been lost between that commit and the enqueue. Adding a job twice is harmless: its id is per
 * stage.
 */
export async function decideDueRungs(
  client: PoolClient,
  sweepIds: readonly string[],
  pausedNow: ReadonlySet<string> = new Set(),
): Promise<Promotion[]> {
  const promotions: Promotion[] = [];
  for (const [sweepId, sweep] of await searchedSweeps(client, sweepIds)) {
    const search = sweep.spec.search as SuccessiveHalving;
    const epochs = sweep.spec.training.epochs;
    const rungs = rungEpochs(search, epochs);
    const trials = await trialsOf(client, sweepId);
    const promotedNow = new Set<string>();
    if (sweep.status !== 'cancelled') {
      for (const group of groupByVariant(trials).values()) {
        for (const id of await decideGroup(client, sweepId, search, rungs, group)) promotedNow.add(id);
      }
    }
    // `trials` holds the statuses and stages the decisions just wrote (decideGroup keeps them in step).
    for (const trial of trials) {
      if (trial.status !== 'queued' || trial.searchRung === 0) continue;
      if (!promotedNow.has(trial.id) && !pausedNow.has(trial.id)) continue;
      promotions.push({
        sweepId,
        trialId: trial.id,
        config: trial.config,
        rung: trial.searchRung,
        untilEpoch: epochBudget(search, epochs, trial.searchRung),
        attemptsBefore: trial.attempts,
        attempts: sweep.spec.retries + 1,
      });
    }
  }
  return promotions;
}

async function decideGroup(
  client: PoolClient,
  sweepId: string,
  search: SuccessiveHalving,
  rungs: readonly number[],
  group: readonly SearchTrial[],
): Promise<string[]> {
  if (group.some((t) => t.status === 'queued' || t.status === 'running')) return [];
  const paused = group.filter((t) => t.status === 'paused');
  if (paused.length === 0) return [];
  const rung = Math.min(...paused.map((t) => t.searchRung));
  const epoch = rungs[rung];
  if (epoch === undefined) return [];
  const candidates = paused.filter((t) => t.searchRung === rung);
  const decisions = decideRung({
    rule: search.rankBy,
    reductionFactor: search.reductionFactor,
    epoch,
    candidates: await snapshotsAt(client, candidates, epoch),
  });
  await recordDecisions(client, sweepId, search, rung, epoch, decisions);
  // What recordDecisions wrote, mirrored on the trials read before: no second read of the sweep.
  const promoted = new Set(decisions.filter((d) => d.promoted).map((d) => d.trialId));
  for (const trial of candidates) {
    if (promoted.has(trial.id)) {
      trial.status = 'queued';
      trial.searchRung = rung + 1;
    } else {
      trial.status = 'pruned';
    }
  }
  return [...promoted];
}

async function recordDecisions(
  client: PoolClient,
  sweepId: string,
  search: SuccessiveHalving,
  rung: number,
  epoch: number,
  decisions: readonly RungDecision[],
): Promise<void> {
  const kept = decisions.filter((d) => d.promoted).length;
  await client.query(
    `INSERT INTO search_decisions
       (sweep_id, trial_id, rung, epoch, rank_by, score, rank, candidates, kept, decision, reason)
     SELECT $1, u.trial_id, $2, $3, $4, u.score, u.rank, $5, $6, u.decision, u.reason
       FROM unnest($7::text[], $8::float8[], $9::int[], $10::text[], $11::text[])
            AS u(trial_id, score, rank, decision, reason)
     ON CONFLICT (trial_id, rung) DO NOTHING`,
    [
      sweepId,
      rung,
      epoch,
      search.rankBy,
      decisions.length,
      kept,
      decisions.map((d) => d.trialId),
      decisions.map((d) => d.score),
      decisions.map((d) => d.rank),
      decisions.map((d) => (d.promoted ? 'promoted' : 'stopped')),
      decisions.map((d) => d.reason),
    ],
  );
  const promoted = decisions.filter((d) => d.promoted).map((d) => d.trialId);
  const stopped = decisions.filter((d) => !d.promoted).map((d) => d.trialId);
  await client.query(
    `UPDATE trials SET status = 'queued', search_rung = $2 + 1, updated_at = now()
      WHERE id = ANY($1::text[]) AND status = 'paused' AND search_rung = $2`,
    [promoted, rung],
  );
  await client.query(
    `UPDATE trials SET status = 'pruned', finished_at = now(), error = NULL, updated_at = now()
      WHERE id = ANY($1::text[]) AND status = 'paused' AND search_rung = $2`,
    [stopped, rung],
  );
  // A pruned trial never trains again; its rows stay, its checkpoint is only weight.
  await deleteCheckpoints(client, stopped);
}

async function trialsOf(client: PoolClient, sweepId: string): Promise<SearchTrial[]> {
  const { rows } = await client.query<SearchTrial>(
    `SELECT id, config, architecture, variant, resolution, seed, status, search_rung AS "searchRung", attempts
       FROM trials WHERE sweep_id = $1 ORDER BY ordinal`,
    [sweepId],
  );
  return rows;
}

/** Resolutions compete within an architecture variant (seeds included), as `recommend` compares them. */
function groupByVariant(trials: readonly SearchTrial[]): Map<string, SearchTrial[]> {
  const groups = new Map<string, SearchTrial[]>();
  for (const trial of trials) {
    const key = searchGroup(trial.architecture, trial.variant);
    groups.set(key, [...(groups.get(key) ?? []), trial]);
  }
  return groups;
}

/** Test accuracy and eval saturation per layer (forward order) of each trial at `epoch`. */
async function snapshotsAt(
  client: PoolClient,
  trials: readonly SearchTrial[],
  epoch: number,
): Promise<TrialSnapshot[]> {
  const { rows } = await client.query<{ trialId: string; testAccuracy: number; saturations: number[] }>(
    `SELECT e.trial_id AS "trialId", e.test_accuracy AS "testAccuracy",
            array_agg(l.saturation ORDER BY l.layer_index) AS saturations
       FROM epoch_metrics e
       JOIN layer_metrics l ON l.trial_id = e.trial_id AND l.epoch = e.epoch AND l.mode = 'eval'
      WHERE e.trial_id = ANY($1::text[]) AND e.epoch = $2
      GROUP BY e.trial_id, e.test_accuracy`,
    [trials.map((t) => t.id), epoch],
  );
  const byId = new Map(rows.map((r) => [r.trialId, r]));
  const missing = trials.filter((t) => !byId.has(t.id));
  if (missing.length > 0) {
    // A pause carries its history, so this means rows still on their way: roll back and retry.
    throw new IncompleteHistoryError(
      `rung decision at epoch ${epoch} waits for the rows of ${missing.map((t) => t.id).join(', ')}`,
    );
  }
  return trials.map((t) => {
    const row = byId.get(t.id)!;
    return {
      trialId: t.id,
      group: searchGroup(t.architecture, t.variant),
      resolution: t.resolution,
      seed: t.seed,
      epoch,
      testAccuracy: row.testAccuracy,
      layerSaturations: row.saturations,
    };
  });
}

/**
 * Takes the decisions due in one sweep in a transaction of its own (`sweep resume`: a decision whose
 * trigger was lost, e.g. every other trial of the rung failed for good meanwhile) and returns the
 * promotions waiting for a job. Same lock order as ingest: the sweep, then its trials by id.
 */
export async function takeDueDecisions(pool: Pool, sweepId: string): Promise<Promotion[]> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT id FROM sweeps WHERE id = $1 FOR NO KEY UPDATE', [sweepId]);
    await client.query('SELECT id FROM trials WHERE sweep_id = $1 ORDER BY id FOR NO KEY UPDATE', [sweepId]);
    const promotions = await decideDueRungs(client, [sweepId]);
    await settleSweeps(client, [sweepId]);
    return promotions;
  });
}
