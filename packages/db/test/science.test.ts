import { describe, expect } from 'vitest';
import type { EpochEvent, ResultEvent, TrialConfig } from '@satfarm/contracts';
import { it } from '@satfarm/db/vitest';
import { ingestEvents, RECOMMENDATION_SQL, recommendResolutions, resolutionTails } from '@satfarm/db';
import { createSweepWithTrials, epoch, finished, smallSpec, started } from './fixtures.ts';

let sweepId: string;
let trials: { id: string; config: TrialConfig }[];

// Mean accuracy per resolution (seeds 1, 2): 14 → 0.80, 28 → 0.846, 56 → 0.85. Within half a point
// of the best (56) lies 28, so 28 is the cheapest good resolution.
const ACCURACY: Record<number, [number, number]> = { 14: [0.79, 0.81], 28: [0.842, 0.85], 56: [0.84, 0.86] };
const TAIL: Record<number, number> = { 14: 3, 28: 1, 56: 0 };

function withScience(event: EpochEvent, resolution: number, attempt = 1): EpochEvent {
  return {
    ...event,
    attempt,
    result: {
      ...event.result,
      tailLength: TAIL[resolution]!,
      projection: [
        { delta: 0.9, k: 20, width: 48, accuracy: 0.7, randomAccuracy: 0.2 },
        { delta: 0.99, k: 40, width: 48, accuracy: event.result.testAccuracy - 0.005, randomAccuracy: 0.3 },
      ],
    },
  };
}

it.beforeAll(async ({ db }) => {
  ({ sweepId, trials } = await createSweepWithTrials(
    db.pool,
    smallSpec({
      name: 'science',
      grid: { architecture: ['simple-cnn'], resolution: [14, 28, 56], seed: [1, 2] },
    }),
  ));
  const events: ResultEvent[] = [];
  for (const { id, config } of trials) {
    const accuracy = ACCURACY[config.resolution]![config.seed - 1]!;
    events.push(
      started(sweepId, id),
      epoch(sweepId, id, 1, { testAccuracy: accuracy - 0.1 }),
      withScience(epoch(sweepId, id, 2, { testAccuracy: accuracy }), config.resolution),
      finished(sweepId, id),
    );
  }
  // Delivered twice: nothing may be stored twice.
  await ingestEvents(db.pool, events);
  await ingestEvents(db.pool, events);
});

describe('science tables and views', () => {
  it('stores one projection row per trial and delta, and the tail length per epoch', async ({ db }) => {
    const projections = await db.pool.query('SELECT count(*)::int AS n FROM projection_metrics');
    expect(projections.rows[0].n).toBe(trials.length * 2);
    const tails = await db.pool.query<{ resolution: number; tail_length: number | null }>(
      `SELECT t.resolution, e.tail_length FROM epoch_metrics e JOIN trials t ON t.id = e.trial_id
       WHERE e.epoch = 2 ORDER BY t.resolution`,
    );
    expect(tails.rows.map((r) => [r.resolution, r.tail_length])).toEqual([
      [14, 3],
      [14, 3],
      [28, 1],
      [28, 1],
      [56, 0],
      [56, 0],
    ]);
    expect(await resolutionTails(db.pool, sweepId)).toEqual([
      { architecture: 'simple-cnn', variant: 'widthMultiplier=1', resolution: 14, meanTailLength: 3 },
      { architecture: 'simple-cnn', variant: 'widthMultiplier=1', resolution: 28, meanTailLength: 1 },
      { architecture: 'simple-cnn', variant: 'widthMultiplier=1', resolution: 56, meanTailLength: 0 },
    ]);
  });

  it('summarises the projection test against the unprojected accuracy', async ({ db }) => {
    const { rows } = await db.pool.query<{ delta: number; change: number; random: number }>(
      `SELECT delta, mean_accuracy_change AS change, mean_random_accuracy AS random
       FROM projection_summary WHERE sweep_id = $1 AND resolution = 28 ORDER BY delta`,
      [sweepId],
    );
    expect(rows).toHaveLength(2);
    expect(rows[1]!.change).toBeCloseTo(-0.005, 12);
    expect(rows[0]!.random).toBeCloseTo(0.2, 12);
  });

  it('recommends the best and the cheapest resolution within the tolerance', async ({ db }) => {
    const [row] = await recommendResolutions(db.pool, sweepId, 0.005);
    expect(row).toMatchObject({ bestResolution: 56, cheapestResolution: 28, seeds: 2 });
    expect(row!.bestMeanTestAccuracy).toBeCloseTo(0.85, 12);
    expect(row!.cheapestMeanTestAccuracy).toBeCloseTo(0.846, 12);
    // A tolerance of zero leaves only the best; a wide one goes down to the smallest resolution.
    expect((await recommendResolutions(db.pool, sweepId, 0))[0]!.cheapestResolution).toBe(56);
    expect((await recommendResolutions(db.pool, sweepId, 0.1))[0]!.cheapestResolution).toBe(14);
    // The statement printed with each recommendation is the one that produced it.
    const direct = await db.pool.query(RECOMMENDATION_SQL, [sweepId, 0.005]);
    expect(direct.rows[0].cheapest_resolution).toBe(28);
  });
});
