import { describe, expect } from 'vitest';
import type { PausedEvent } from '@satfarm/contracts';
import { it } from '@satfarm/db/vitest';
import {
  createSweep,
  ingestEvents,
  markSweepCancelled,
  type Pool,
  sweepStatus,
  takeDueDecisions,
  writeCheckpointBytes,
} from '@satfarm/db';
import { completed, epoch, finished, smallSpec, started } from './fixtures.ts';

/** Four resolutions, one seed, 4 epochs: rungs at epochs 1 and 2 with η = 2 (4 → 2 → 1 trials). */
async function searchSweep(pool: Pool, name: string) {
  const spec = smallSpec({
    name,
    grid: { architecture: ['simple-cnn'], resolution: [14, 20, 28, 36], seed: [1] },
    training: { epochs: 4, batchSize: 16 },
    search: { strategy: 'successive-halving', minEpochs: 1, reductionFactor: 2, rankBy: 'accuracy' },
  });
  const { sweepId, trialIds } = await createSweep(pool, spec);
  return { sweepId, trialIds: trialIds as [string, string, string, string] };
}

/** A pause at the end of `rung` with one accuracy per epoch (the last one is what the rung ranks). */
function paused(
  sweepId: string,
  trialId: string,
  rung: number,
  accuracies: number[],
  attempt = 1,
): PausedEvent {
  return {
    type: 'paused',
    sweepId,
    trialId,
    attempt,
    rung,
    at: '2026-11-26T12:10:00.000Z',
    epochs: accuracies.map(
      (testAccuracy, i) => epoch(sweepId, trialId, i + 1, { attempt, testAccuracy }).result,
    ),
  };
}

async function statuses(pool: Pool, ids: readonly string[]) {
  const { rows } = await pool.query<{ id: string; status: string; search_rung: number }>(
    'SELECT id, status, search_rung FROM trials WHERE id = ANY($1::text[])',
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => `${byId.get(id)!.status}@${byId.get(id)!.search_rung}`);
}

async function decisions(pool: Pool, sweepId: string) {
  const { rows } = await pool.query<{
    trial_id: string;
    rung: number;
    epoch: number;
    rank: number;
    decision: string;
    reason: string;
  }>(
    'SELECT trial_id, rung, epoch, rank, decision, reason FROM search_decisions WHERE sweep_id = $1 ORDER BY rung, rank',
    [sweepId],
  );
  return rows;
}

describe('successive-halving decisions on ingest', () => {
  it('decides a rung once every trial of it paused, once, and finds the same promotions when the pauses come again', async ({
    db,
  }) => {
    const { sweepId, trialIds } = await searchSweep(db.pool, 'rungs');
    const [a, b, c, d] = trialIds;
    await ingestEvents(
      db.pool,
      trialIds.map((id) => started(sweepId, id)),
    );
    // The worst two will be pruned: their checkpoints must go, the others' stay.
    for (const id of trialIds) await writeCheckpointBytes(db.pool, id, 1, [Buffer.from('weights')]);
    const early = await ingestEvents(db.pool, [
      paused(sweepId, a, 0, [0.5]),
      paused(sweepId, b, 0, [0.8]),
      paused(sweepId, c, 0, [0.6]),
    ]);
    expect(early.promotions).toEqual([]);
    expect(await decisions(db.pool, sweepId)).toEqual([]);

    const due = await ingestEvents(db.pool, [paused(sweepId, d, 0, [0.7])]);
    expect(due.promotions.map((p) => [p.trialId, p.rung, p.untilEpoch, p.attemptsBefore])).toEqual([
      [b, 1, 2, 1],
      [d, 1, 2, 1],
    ]);
    expect(await statuses(db.pool, trialIds)).toEqual(['pruned@0', 'queued@1', 'pruned@0', 'queued@1']);
    const rung0 = await decisions(db.pool, sweepId);
    expect(rung0.map((r) => [r.trial_id, r.rank, r.decision])).toEqual([
      [b, 1, 'promoted'],
      [d, 2, 'promoted'],
      [c, 3, 'stopped'],
      [a, 4, 'stopped'],
    ]);
    expect(rung0.every((r) => r.epoch === 1 && r.reason.length > 10)).toBe(true);
    const { rows: kept } = await db.pool.query<{ trial_id: string }>(
      'SELECT trial_id FROM trial_checkpoints WHERE trial_id = ANY($1::text[]) ORDER BY trial_id',
      [trialIds],
    );
    expect(kept.map((r) => r.trial_id)).toEqual([b, d].sort());

    // Every pause delivered again (the aggregator died before acknowledging them): no new decision,
    // no status change, and the same two promotions to add again (their job ids dedupe them).
    const again = await ingestEvents(
      db.pool,
      trialIds.map((id, i) => paused(sweepId, id, 0, [[0.5, 0.8, 0.6, 0.7][i]!])),
    );
    expect(again.statusChanges).toBe(0);
    expect(again.promotions.map((p) => [p.trialId, p.rung])).toEqual([
      [b, 1],
      [d, 1],
    ]);
    expect(await decisions(db.pool, sweepId)).toHaveLength(4);
    expect(await statuses(db.pool, trialIds)).toEqual(['pruned@0', 'queued@1', 'pruned@0', 'queued@1']);

    // Rung 1: the promoted stage's jobs run as attempt 2; d overtakes b; the survivor trains to the end.
    await ingestEvents(db.pool, [started(sweepId, b, 2), started(sweepId, d, 2)]);
    const last = await ingestEvents(db.pool, [
      paused(sweepId, b, 1, [0.8, 0.81], 2),
      paused(sweepId, d, 1, [0.7, 0.86], 2),
    ]);
    expect(last.promotions.map((p) => [p.trialId, p.rung, p.untilEpoch])).toEqual([[d, 2, 4]]);
    expect(await statuses(db.pool, trialIds)).toEqual(['pruned@0', 'pruned@1', 'pruned@0', 'queued@2']);
    expect((await sweepStatus(db.pool, sweepId)).status).toBe('running');

    await ingestEvents(db.pool, [started(sweepId, d, 3), completed(sweepId, d, 3, 4)]);
    const progress = await sweepStatus(db.pool, sweepId);
    expect(progress).toMatchObject({ status: 'completed', done: true });
    expect(progress.counts).toMatchObject({ completed: 1, pruned: 3 });
    // A late rerun of a pruned trial's stage (its job stalled and was taken over after the decision)
    // writes nothing: the rows stay those of the pause the rung decided on.
    const late = await ingestEvents(db.pool, [epoch(sweepId, a, 1, { attempt: 9, testAccuracy: 0.99 })]);
    expect(late.epochRows).toBe(0);
    // Pruned trials keep their rows.
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM epoch_metrics WHERE trial_id = ANY($1::text[])',
      [[a, b, c]],
    );
    expect(rows[0]!.n).toBe(1 + 2 + 1);
  });

  it('a trial that fails for good no longer holds its rung back', async ({ db }) => {
    const { sweepId, trialIds } = await searchSweep(db.pool, 'failure');
    const [a, b, c, d] = trialIds;
    await ingestEvents(
      db.pool,
      trialIds.map((id) => started(sweepId, id)),
    );
    await ingestEvents(db.pool, [
      paused(sweepId, a, 0, [0.5]),
      paused(sweepId, b, 0, [0.8]),
      paused(sweepId, c, 0, [0.6]),
    ]);
    const outcome = await ingestEvents(db.pool, [finished(sweepId, d, 'failed', 1, 'out of memory')]);
    // Three candidates, η = 2: the best one goes on.
    expect(outcome.promotions.map((p) => p.trialId)).toEqual([b]);
    expect(await statuses(db.pool, trialIds)).toEqual(['pruned@0', 'queued@1', 'pruned@0', 'failed@0']);
  });

  it('a cancelled sweep decides nothing until it is resumed', async ({ db }) => {
    const { sweepId, trialIds } = await searchSweep(db.pool, 'cancelled');
    await ingestEvents(
      db.pool,
      trialIds.map((id) => started(sweepId, id)),
    );
    await ingestEvents(
      db.pool,
      trialIds.slice(0, 3).map((id, i) => paused(sweepId, id, 0, [0.5 + i / 10])),
    );
    await markSweepCancelled(db.pool, sweepId);
    // The last trial's pause arrives after the cancel: it stays cancelled, nothing is decided.
    const late = await ingestEvents(db.pool, [paused(sweepId, trialIds[3], 0, [0.9])]);
    expect(late.promotions).toEqual([]);
    expect(await decisions(db.pool, sweepId)).toEqual([]);
    expect(await takeDueDecisions(db.pool, sweepId)).toEqual([]);
  });
});
