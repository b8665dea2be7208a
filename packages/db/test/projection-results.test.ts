import type { EpochEvent, ProjectionTest, ResultEvent, TrialConfig } from '@satfarm/contracts';
import { ingestEvents, projectionResults } from '@satfarm/db';
import { it } from '@satfarm/db/vitest';
import { describe, expect } from 'vitest';
import { createSweepWithTrials, epoch, finished, smallSpec, started } from './fixtures.ts';

let sweepId: string;
let trials: { id: string; config: TrialConfig }[];

const LAYERS = ['conv0', 'conv1', 'conv2'];

/**
 * A projection test as a trainer sends it: per δ an all-layer row and one per layer. Accuracies are
 * chosen so the summary's arithmetic shows: eigenspace 0.8 − 0.1·(layer count), random draws
 * [0.2, 0.3, 0.4] shifted by the seed.
 */
function projectionTest(seed: number): ProjectionTest {
  const rows = [0.9, 0.99].flatMap((delta) => [
    {
      delta,
      layer: null,
      k: 24,
      width: 48,
      accuracy: 0.5 + seed / 100,
      randomAccuracies: [0.2, 0.3, 0.4].map((a) => a + seed / 100),
    },
    ...LAYERS.map((layer, i) => ({
      delta,
      layer,
      k: 8 + i,
      width: 16,
      accuracy: 0.7 + i / 100,
      randomAccuracies: [0.6, 0.6, 0.6],
    })),
  ]);
  return {
    fit: 'train',
    includesClassifier: false,
    randomDraws: 3,
    seconds: 4.2,
    layers: LAYERS.map((name, index) => ({ name, index, width: 16 })),
    rows,
  };
}

function lastEpoch(id: string, seed: number, attempt = 1): EpochEvent {
  const event = epoch(sweepId, id, 2, { attempt, testAccuracy: 0.6 });
  return { ...event, result: { ...event.result, projectionTest: projectionTest(seed) } };
}

it.beforeAll(async ({ db }) => {
  ({ sweepId, trials } = await createSweepWithTrials(
    db.pool,
    smallSpec({
      name: 'projection',
      grid: { architecture: ['simple-cnn'], resolution: [28], seed: [1, 2, 3] },
    }),
  ));
  // Seeds 1 and 2 complete; seed 3 stays running (for the attempt rules below).
  const events: ResultEvent[] = trials.slice(0, 2).flatMap(({ id, config }) => {
    const first = epoch(sweepId, id, 1);
    const last = lastEpoch(id, config.seed);
    return [
      started(sweepId, id),
      first,
      last,
      { ...finished(sweepId, id), epochs: [first.result, last.result] },
    ];
  });
  // Delivered twice: nothing may be stored twice.
  await ingestEvents(db.pool, events);
  await ingestEvents(db.pool, events);
});

describe('projection_results', () => {
  it('stores one row per trial, δ and scope, with the draws, their mean and their spread', async ({ db }) => {
    const { rows } = await db.pool.query(
      `SELECT scope, layer_name, layer_index, epoch, fit, includes_classifier, k, width, random_draws,
              random_accuracy, random_accuracy_std, random_accuracy_min, random_accuracy_max, random_accuracies
       FROM projection_results WHERE trial_id = $1 AND delta = 0.9 ORDER BY layer_index NULLS FIRST`,
      [trials[0]!.id],
    );
    expect(rows.map((r) => [r.scope, r.layer_name, r.layer_index, r.k])).toEqual([
      ['all', null, null, 24],
      ['layer', 'conv0', 0, 8],
      ['layer', 'conv1', 1, 9],
      ['layer', 'conv2', 2, 10],
    ]);
    const all = rows[0]!;
    expect(all).toMatchObject({
      epoch: 2,
      fit: 'train',
      includes_classifier: false,
      width: 48,
      random_draws: 3,
    });
    const draws = [0.2, 0.3, 0.4].map((a) => a + 1 / 100);
    expect(all.random_accuracies).toEqual(draws);
    expect(all.random_accuracy).toBeCloseTo(0.31, 12);
    expect(all.random_accuracy_std).toBeCloseTo(0.1, 12);
    expect([all.random_accuracy_min, all.random_accuracy_max]).toEqual([draws[0], draws[2]]);
    const count = await db.pool.query('SELECT count(*)::int AS n FROM projection_results');
    expect(count.rows[0].n).toBe(2 * 2 * (1 + LAYERS.length)); // two trials, two δ
  });

  it('keeps the newest attempt’s rows of a running trial', async ({ db }) => {
    const id = trials[2]!.id;
    await ingestEvents(db.pool, [started(sweepId, id, 1), lastEpoch(id, 3, 1)]);
    await ingestEvents(db.pool, [started(sweepId, id, 2), lastEpoch(id, 50, 2)]);
    await ingestEvents(db.pool, [lastEpoch(id, 3, 1)]); // a stale attempt arriving late changes nothing
    const { rows } = await db.pool.query(
      `SELECT attempt, accuracy FROM projection_results WHERE trial_id = $1 AND scope = 'all' AND delta = 0.9`,
      [id],
    );
    expect(rows).toEqual([{ attempt: 2, accuracy: 1 }]);
  });

  it('summarises per scope and δ against the unprojected accuracy, with the control’s spread', async ({
    db,
  }) => {
    const rows = await projectionResults(db.pool, sweepId);
    expect(rows.filter((r) => r.delta === 0.9).map((r) => r.layerName)).toEqual([null, ...LAYERS]);
    const all = rows.find((r) => r.delta === 0.9 && r.scope === 'all')!;
    // The running trial (seed 3) is not in the summary: completed trials only.
    expect(all).toMatchObject({ fit: 'train', includesClassifier: false, trials: 2, resolution: 28 });
    expect(all.meanKeptShare).toBeCloseTo(0.5, 12);
    expect(all.meanTestAccuracy).toBeCloseTo(0.6, 12);
    expect(all.meanProjectedAccuracy).toBeCloseTo(0.515, 12); // seeds 1 and 2
    expect(all.stdProjectedAccuracy).toBeCloseTo(Math.SQRT1_2 / 100, 12);
    expect(all.meanRandomAccuracy).toBeCloseTo(0.315, 12);
    expect(all.meanRandomAccuracyStd).toBeCloseTo(0.1, 12);
    expect([all.minRandomAccuracy, all.maxRandomAccuracy]).toEqual([0.2 + 1 / 100, 0.4 + 2 / 100]);
    const conv2 = rows.find((r) => r.delta === 0.99 && r.layerName === 'conv2')!;
    expect(conv2).toMatchObject({ scope: 'layer', layerIndex: 2, meanRandomAccuracyStd: 0 });
    expect(conv2.meanProjectedAccuracy).toBeCloseTo(0.72, 12);
  });

  it('can be read by the role `satfarm sql` runs as', async ({ db }) => {
    const { rows } = await db.pool.query(
      `SELECT has_table_privilege('satfarm_sql', 'projection_results', 'SELECT') AS results,
              has_table_privilege('satfarm_sql', 'projection_results_summary', 'SELECT') AS summary`,
    );
    expect(rows).toEqual([{ results: true, summary: true }]);
  });

  it('still stores the legacy rows older workers send', async ({ db }) => {
    const id = trials[2]!.id;
    const event = epoch(sweepId, id, 1, { attempt: 2 });
    await ingestEvents(db.pool, [
      {
        ...event,
        result: {
          ...event.result,
          projection: [{ delta: 0.99, k: 40, width: 48, accuracy: 0.59, randomAccuracy: 0.2 }],
        },
      },
    ]);
    const { rows } = await db.pool.query('SELECT delta, k FROM projection_metrics WHERE trial_id = $1', [id]);
    expect(rows).toEqual([{ delta: 0.99, k: 40 }]);
  });
});
