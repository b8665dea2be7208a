import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultEvent } from '@satfarm/contracts';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import {
  createSweep,
  ingestEvents,
  sweepStatus,
  trialEpochs,
  trialLayers,
  writeCheckpointBytes,
} from '@satfarm/db';
import { completed, epoch, finished, smallSpec, started } from './fixtures.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function rowCounts(trialIds: readonly string[]) {
  const { rows } = await db.pool.query<{ epochs: number; layers: number; distinct_layers: number }>(
    `SELECT (SELECT count(*)::int FROM epoch_metrics WHERE trial_id = ANY($1::text[])) AS epochs,
            (SELECT count(*)::int FROM layer_metrics WHERE trial_id = ANY($1::text[])) AS layers,
            (SELECT count(DISTINCT (trial_id, epoch, layer_index, mode))::int FROM layer_metrics
              WHERE trial_id = ANY($1::text[])) AS distinct_layers`,
    [trialIds],
  );
  return rows[0]!;
}

async function trial(id: string) {
  const { rows } = await db.pool.query<{
    status: string;
    attempts: number;
    worker: string | null;
    last_epoch: number;
    final_test_accuracy: number | null;
    error: string | null;
  }>('SELECT status, attempts, worker, last_epoch, final_test_accuracy, error FROM trials WHERE id = $1', [
    id,
  ]);
  return rows[0]!;
}

async function newSweep(name: string) {
  const { sweepId, trialIds } = await createSweep(db.pool, smallSpec({ name }));
  return { sweepId, trialIds: trialIds as [string, string, string, string] };
}

describe('ingestEvents', () => {
  it('leaves exactly one row per key when a batch is delivered twice', async () => {
    const { sweepId, trialIds } = await newSweep('twice');
    const [a, b] = trialIds;
    const batch: ResultEvent[] = [
      started(sweepId, a),
      epoch(sweepId, a, 1),
      epoch(sweepId, a, 2),
      started(sweepId, b),
      epoch(sweepId, b, 1),
      epoch(sweepId, b, 1), // duplicated inside one batch as well
      finished(sweepId, a),
    ];
    const first = await ingestEvents(db.pool, batch);
    expect(first).toMatchObject({ epochRows: 3, layerRows: 18, statusChanges: 3, unknownTrialEvents: 0 });
    const again = await ingestEvents(db.pool, batch);
    expect(again.statusChanges).toBe(0);
    expect(await rowCounts([a, b])).toEqual({ epochs: 3, layers: 18, distinct_layers: 18 });
    expect(await trial(a)).toMatchObject({
      status: 'completed',
      attempts: 1,
      last_epoch: 2,
      final_test_accuracy: 0.4 + 2 / 100,
    });
    expect(await trial(b)).toMatchObject({ status: 'running', last_epoch: 1 });
    expect((await trialEpochs(db.pool, a)).map((e) => e.epoch)).toEqual([1, 2]);
    const layersOfLast = await trialLayers(db.pool, a, 2);
    expect(layersOfLast).toHaveLength(3);
    expect(layersOfLast[0]).toMatchObject({
      epoch: 2,
      layerIndex: 0,
      trainSaturation: 0.5,
      evalSaturation: 0.5,
      trainK: 8,
    });
    expect(await trialLayers(db.pool, a)).toHaveLength(6);
  });

  it('does not let a stale attempt overwrite a newer one', async () => {
    const { sweepId, trialIds } = await newSweep('stale');
    const [a] = trialIds;
    await ingestEvents(db.pool, [started(sweepId, a, 1, 'old-worker')]);
    // The job stalled; attempt 2 ran on another worker and completed.
    // Each attempt's layers differ (0.75 new, 0.125 stale), so a stale row that got through would show.
    const fresh = () => 0.75;
    const old = () => 0.125;
    await ingestEvents(db.pool, [
      started(sweepId, a, 2, 'new-worker'),
      epoch(sweepId, a, 1, { attempt: 2, testAccuracy: 0.8, saturation: fresh }),
      epoch(sweepId, a, 2, { attempt: 2, testAccuracy: 0.9, saturation: fresh }),
      finished(sweepId, a, 'completed', 2),
    ]);
    // Then the stalled attempt 1 wakes up and reports.
    const stale = await ingestEvents(db.pool, [
      started(sweepId, a, 1, 'old-worker'),
      epoch(sweepId, a, 1, { attempt: 1, testAccuracy: 0.1, saturation: old }),
      epoch(sweepId, a, 2, { attempt: 1, testAccuracy: 0.1, saturation: old }),
      finished(sweepId, a, 'failed', 1, 'stalled'),
    ]);
    expect(stale.statusChanges).toBe(0);
    expect(stale.epochRows).toBe(0);
    expect(stale.layerRows).toBe(0);
    const layerRows = await db.pool.query<{ attempt: number; saturation: number; n: number }>(
      `SELECT attempt, saturation, count(*)::int AS n FROM layer_metrics WHERE trial_id = $1
        GROUP BY attempt, saturation`,
      [a],
    );
    expect(layerRows.rows).toEqual([{ attempt: 2, saturation: 0.75, n: 12 }]);

    // A newer run that went on after attempt 2 completed the trial (a takeover racing it) writes nothing.
    const late = await ingestEvents(db.pool, [
      started(sweepId, a, 3, 'racing-worker'),
      epoch(sweepId, a, 2, { attempt: 3, testAccuracy: 0.3, saturation: old }),
    ]);
    expect(late).toMatchObject({ statusChanges: 0, epochRows: 0, layerRows: 0 });
    expect((await trialEpochs(db.pool, a)).map((e) => [e.attempt, e.testAccuracy])).toEqual([
      [2, 0.8],
      [2, 0.9],
    ]);
    expect(await trial(a)).toMatchObject({
      status: 'completed',
      attempts: 2,
      worker: 'new-worker',
      error: null,
    });
    expect((await trialEpochs(db.pool, a)).map((e) => [e.attempt, e.testAccuracy])).toEqual([
      [2, 0.8],
      [2, 0.9],
    ]);
    expect(await rowCounts([a])).toMatchObject({ epochs: 2, layers: 12 });
  });

  it("writes a completed trial's epochs from its event, and never completes one with an epoch missing", async () => {
    const { sweepId, trialIds } = await newSweep('history');
    const [a, b] = trialIds;
    // Epoch 2's own event was lost (Redis flushed before it was written): `completed` brings it.
    await ingestEvents(db.pool, [started(sweepId, a), epoch(sweepId, a, 1)]);
    const done = await ingestEvents(db.pool, [completed(sweepId, a)]);
    expect(done.epochRows).toBe(2);
    expect(await trial(a)).toMatchObject({ status: 'completed' });
    expect((await trialEpochs(db.pool, a)).map((e) => e.epoch)).toEqual([1, 2]);
    expect(await rowCounts([a])).toMatchObject({ epochs: 2, layers: 12 });

    // A completed event without the history (an older worker) while epoch 2 is missing: refused whole.
    await ingestEvents(db.pool, [started(sweepId, b), epoch(sweepId, b, 1)]);
    await expect(ingestEvents(db.pool, [finished(sweepId, b, 'completed')])).rejects.toThrow(
      /not marking 1 trial\(s\) completed with epochs missing: [0-9a-f]{32} has 1 of 2 epochs/,
    );
    expect(await trial(b)).toMatchObject({ status: 'running' });
    // Once the epoch's row arrives, the same event completes it.
    await ingestEvents(db.pool, [epoch(sweepId, b, 2), finished(sweepId, b, 'completed')]);
    expect(await trial(b)).toMatchObject({ status: 'completed' });
  });

  it('removes the checkpoint of a trial that completed or diverged, in the same transaction, and keeps a failed one', async () => {
    const { sweepId, trialIds } = await newSweep('checkpoints');
    const [a, b, c] = trialIds;
    for (const id of [a, b, c]) await writeCheckpointBytes(db.pool, id, 1, [Buffer.from('bytes')]);
    await ingestEvents(db.pool, [
      started(sweepId, a),
      started(sweepId, b),
      started(sweepId, c),
      completed(sweepId, a),
      finished(sweepId, b, 'failed', 1, 'out of memory'),
      finished(sweepId, c, 'diverged', 1, 'NaN loss'),
    ]);
    const { rows } = await db.pool.query<{ trial_id: string }>('SELECT trial_id FROM trial_checkpoints');
    expect(rows.map((r) => r.trial_id)).toEqual([b]);
  });

  it('keeps completed final but lets a newer attempt complete a failed trial', async () => {
    const { sweepId, trialIds } = await newSweep('failed-then-retried');
    const [a, b] = trialIds;
    await ingestEvents(db.pool, [started(sweepId, a), finished(sweepId, a, 'failed', 1, 'boom')]);
    expect(await trial(a)).toMatchObject({ status: 'failed', error: 'boom' });
    await ingestEvents(db.pool, [finished(sweepId, a, 'completed', 1)]);
    expect((await trial(a)).status).toBe('failed');
    await ingestEvents(db.pool, [completed(sweepId, a, 2)]);
    expect(await trial(a)).toMatchObject({ status: 'completed', attempts: 2, error: null });
    await ingestEvents(db.pool, [started(sweepId, a, 3), finished(sweepId, a, 'failed', 3)]);
    expect(await trial(a)).toMatchObject({ status: 'completed', attempts: 2 });

    await ingestEvents(db.pool, [
      started(sweepId, b),
      finished(sweepId, b, 'diverged', 1, 'NaN loss at epoch 1'),
    ]);
    await ingestEvents(db.pool, [started(sweepId, b, 2)]);
    expect(await trial(b)).toMatchObject({ status: 'diverged', error: 'NaN loss at epoch 1' });
  });

  it('marks the sweep completed when its last trial ends, and not before', async () => {
    const { sweepId, trialIds } = await newSweep('completion');
    const [a, b, c, d] = trialIds;
    const result1 = await ingestEvents(db.pool, [
      started(sweepId, a),
      started(sweepId, b),
      completed(sweepId, a),
      finished(sweepId, b, 'failed', 1, 'x'),
      started(sweepId, c),
      finished(sweepId, c, 'diverged'),
    ]);
    expect(result1.completedSweeps).toEqual([]);
    expect((await sweepStatus(db.pool, sweepId)).status).toBe('running');
    const result2 = await ingestEvents(db.pool, [
      started(sweepId, d),
      epoch(sweepId, d, 1),
      epoch(sweepId, d, 2),
      finished(sweepId, d),
    ]);
    expect(result2.completedSweeps).toEqual([sweepId]);
    const status = await sweepStatus(db.pool, sweepId);
    expect(status).toMatchObject({ status: 'completed', done: true, epochsDone: 4, epochsExpected: 8 });
    expect(status.completedAt).toBeInstanceOf(Date);
    // A late duplicate changes nothing.
    expect((await ingestEvents(db.pool, [finished(sweepId, d)])).completedSweeps).toEqual([]);
  });

  it('completes a sweep exactly once when two aggregators finish its last trials concurrently', async () => {
    const { sweepId, trialIds } = await newSweep('race');
    await ingestEvents(
      db.pool,
      trialIds.map((id) => started(sweepId, id)),
    );
    const results = await Promise.all([
      ingestEvents(db.pool, [completed(sweepId, trialIds[0]), completed(sweepId, trialIds[1])]),
      ingestEvents(db.pool, [completed(sweepId, trialIds[3]), completed(sweepId, trialIds[2])]),
    ]);
    expect(results.flatMap((r) => r.completedSweeps)).toEqual([sweepId]);
    expect((await sweepStatus(db.pool, sweepId)).status).toBe('completed');
  });

  it('ignores events for unknown trials or a mismatched sweep', async () => {
    const { sweepId, trialIds } = await newSweep('unknown');
    const other = await newSweep('unknown-other');
    const result = await ingestEvents(db.pool, [
      started(sweepId, 'f'.repeat(32)),
      epoch(sweepId, 'f'.repeat(32), 1),
      started(other.sweepId, trialIds[0]),
    ]);
    expect(result).toMatchObject({ unknownTrialEvents: 3, epochRows: 0, statusChanges: 0 });
    expect((await trial(trialIds[0])).status).toBe('queued');
  });

  it('writes a batch of 20,000 layer rows (rate printed, not asserted)', async () => {
    const { sweepId, trialIds } = await createSweep(
      db.pool,
      smallSpec({
        name: 'bulk',
        grid: {
          architecture: ['simple-cnn'],
          resolution: [8, 12, 16, 20, 24, 28, 32, 36, 40, 44],
          seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        },
        training: { epochs: 4, batchSize: 16 },
      }),
    );
    expect(trialIds).toHaveLength(100);
    const events: ResultEvent[] = [];
    for (const id of trialIds) {
      for (let e = 1; e <= 4; e++)
        events.push(epoch(sweepId, id, e, { layerCount: 25, saturation: (i) => (i % 10) / 10 }));
    }
    const t0 = performance.now();
    const result = await ingestEvents(db.pool, events);
    const seconds = (performance.now() - t0) / 1000;
    expect(result).toMatchObject({ epochRows: 400, layerRows: 20_000 });
    const t1 = performance.now();
    const again = await ingestEvents(db.pool, events);
    const secondsAgain = (performance.now() - t1) / 1000;
    expect(again.layerRows).toBe(20_000);
    expect(await rowCounts(trialIds)).toEqual({ epochs: 400, layers: 20_000, distinct_layers: 20_000 });
    console.log(
      `ingest: 20,000 layer rows + 400 epoch rows in ${seconds.toFixed(3)} s (${Math.round(20_000 / seconds)} layer rows/s); ` +
        `same batch again (updates) ${secondsAgain.toFixed(3)} s (${Math.round(20_000 / secondsAgain)} rows/s)`,
    );
  });
});
