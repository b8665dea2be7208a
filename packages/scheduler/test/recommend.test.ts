import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSweepSpec, type ResultEvent, type TrialConfig } from '@satfarm/contracts';
import { createTestDatabase, type TestDatabase } from '@satfarm/db/testing';
import { createSweep, ingestEvents } from '@satfarm/db';
import { smallestProductiveResolution } from '@satfarm/models';
import { recommendResolution } from '@satfarm/scheduler';

let db: TestDatabase;
const AT = '2026-11-26T12:00:00.000Z';
// depth 6 simple-cnn: receptive fields predict no unproductive conv from 25 px on (→ 28 among 14/28/56).
const ACCURACY: Record<number, number> = { 14: 0.7, 28: 0.8, 56: 0.802 };

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('recommendResolution', () => {
  it('puts the measured choice next to the receptive-field prediction and the tails', async () => {
    const spec = parseSweepSpec({
      name: 'recommend',
      dataset: { name: 'synthetic' },
      grid: { architecture: ['simple-cnn'], depth: [6], resolution: [14, 28, 56], seed: [1] },
      training: { epochs: 1, batchSize: 16 },
    });
    const { sweepId } = await createSweep(db.pool, spec);
    const { rows } = await db.pool.query<{ id: string; config: TrialConfig }>(
      'SELECT id, config FROM trials WHERE sweep_id = $1',
      [sweepId],
    );
    const events: ResultEvent[] = rows.flatMap(({ id, config }): ResultEvent[] => [
      {
        type: 'started',
        sweepId,
        trialId: id,
        attempt: 1,
        worker: 'w',
        backend: 'wasm',
        device: 'cpu',
        at: AT,
      },
      {
        type: 'epoch',
        sweepId,
        trialId: id,
        attempt: 1,
        result: {
          epoch: 1,
          trainLoss: 1,
          trainAccuracy: 0.5,
          testLoss: 1,
          testAccuracy: ACCURACY[config.resolution]!,
          seconds: 1,
          backend: 'wasm',
          layers: [],
          tailLength: config.resolution === 14 ? 2 : 0,
        },
      },
      { type: 'finished', sweepId, trialId: id, attempt: 1, status: 'completed', at: AT },
    ]);
    await ingestEvents(db.pool, events);

    const { recommendations } = await recommendResolution({ pool: db.pool, sweep: 'recommend' });
    const predicted = smallestProductiveResolution('simple-cnn', {
      channels: 1,
      classes: 10,
      widthMultiplier: 1,
      depth: 6,
    });
    expect(predicted).toBe(25);
    expect(recommendations).toEqual([
      expect.objectContaining({
        architecture: 'simple-cnn',
        resolution: 56,
        cheapestResolution: 28,
        rfPredictedResolution: 25,
        rfPredictedTriedResolution: 28,
        agree: true,
        tailLengths: [
          { resolution: 14, meanTailLength: 2 },
          { resolution: 28, meanTailLength: 0 },
          { resolution: 56, meanTailLength: 0 },
        ],
        sql: { statement: 'SELECT * FROM recommend_resolution($1, $2)', parameters: [sweepId, 0.005] },
      }),
    ]);
    const strict = await recommendResolution({ pool: db.pool, sweep: sweepId, tolerance: 0 });
    expect(strict.recommendations[0]).toMatchObject({ cheapestResolution: 56, agree: false });
  });
});
