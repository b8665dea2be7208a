import { describe, expect } from 'vitest';
import type { ResultEvent } from '@satfarm/contracts';
import { it } from '@satfarm/db/vitest';
import {
  bestResolutions,
  findTrial,
  ingestEvents,
  layerResolutionSummary,
  resolutionSummary,
  sweepResults,
} from '@satfarm/db';
import { createSweepWithTrials, epoch, finished, smallSpec, started } from './fixtures.ts';

let sweepId: string;

// Final test accuracy per (architecture, resolution) for seeds 1, 2, 3. vgg11 ties at 14 and 28.
const ACCURACY: Record<string, Record<number, number[]>> = {
  'simple-cnn': { 14: [0.6, 0.7, 0.8], 28: [0.81, 0.85, 0.89] },
  vgg11: { 14: [0.5, 0.75, 0.25], 28: [0.25, 0.5, 0.75] },
};
// Layer saturation depends on the resolution (the tail grows at small inputs), mode and layer.
const saturation = (resolution: number) => (layer: number, mode: 'train' | 'eval') =>
  (resolution === 14 ? 0.2 : 0.4) + layer * 0.1 + (mode === 'train' ? 0.05 : 0);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: number[]) =>
  Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

it.beforeAll(async ({ db }) => {
  const spec = smallSpec({
    name: 'views',
    grid: { architecture: ['simple-cnn', 'vgg11'], resolution: [14, 28], seed: [1, 2, 3, 4] },
    training: { epochs: 1, batchSize: 16 },
  });
  const created = await createSweepWithTrials(db.pool, spec);
  sweepId = created.sweepId;
  const events: ResultEvent[] = [];
  for (const { id, config } of created.trials) {
    events.push(started(sweepId, id));
    if (config.seed === 4) {
      // Seed 4 fails after one epoch: its numbers must stay out of every statistic.
      events.push(
        epoch(sweepId, id, 1, { testAccuracy: 0.99, saturation: () => 1 }),
        finished(sweepId, id, 'failed'),
      );
      continue;
    }
    const accuracy = ACCURACY[config.architecture]![config.resolution]![config.seed - 1]!;
    events.push(epoch(sweepId, id, 1, { testAccuracy: accuracy, saturation: saturation(config.resolution) }));
    events.push(finished(sweepId, id));
  }
  await ingestEvents(db.pool, events);
});

describe('summary views', () => {
  it('resolution_summary: mean and sample stddev of final test accuracy over completed trials', async ({
    db,
  }) => {
    const rows = await resolutionSummary(db.pool, sweepId);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const accuracies = ACCURACY[row.architecture]![row.resolution]!;
      expect(row).toMatchObject({ trials: 4, completed: 3, seeds: 3, variant: 'widthMultiplier=1' });
      expect(row.meanTestAccuracy).toBeCloseTo(mean(accuracies), 12);
      expect(row.std).toBeCloseTo(sampleStd(accuracies), 12);
      // 3 layers at 0.2/0.4 + 0, 0.1, 0.2 → mean +0.1; train adds 0.05.
      const base = row.resolution === 14 ? 0.3 : 0.5;
      expect(row.meanEvalSaturation).toBeCloseTo(base, 12);
      expect(row.meanTrainSaturation).toBeCloseTo(base + 0.05, 12);
    }
  });

  it('recommended_resolution: best mean accuracy, ties to the smaller resolution', async ({ db }) => {
    const best = await bestResolutions(db.pool, sweepId);
    expect(best.map((b) => [b.architecture, b.resolution, b.seeds])).toEqual([
      ['simple-cnn', 28, 3],
      ['vgg11', 14, 3],
    ]);
    expect(best[0]!.meanTestAccuracy).toBeCloseTo(0.85, 12);
    expect(best[0]!.std).toBeCloseTo(0.04, 12);
    expect(best[1]!.meanTestAccuracy).toBe(0.5);
  });

  it('layer_resolution_summary: per-layer saturation at the last epoch', async ({ db }) => {
    const rows = await layerResolutionSummary(db.pool, sweepId);
    expect(rows).toHaveLength(2 * 2 * 3);
    const row = rows.find((r) => r.architecture === 'vgg11' && r.resolution === 28 && r.layerIndex === 2)!;
    expect(row).toMatchObject({ layerName: 'conv2', trials: 3, unproductive: true, width: 16 });
    expect(row.meanEvalSaturation).toBeCloseTo(0.6, 12);
    expect(row.meanTrainSaturation).toBeCloseTo(0.65, 12);
  });

  it('sweepResults and findTrial report each trial', async ({ db }) => {
    const results = await sweepResults(db.pool, sweepId);
    expect(results).toHaveLength(16);
    expect(results.map((r) => r.ordinal)).toEqual([...Array(16).keys()]);
    const first = results[0]!;
    expect(first).toMatchObject({
      architecture: 'simple-cnn',
      resolution: 14,
      seed: 1,
      widthMultiplier: 1,
      status: 'completed',
      attempts: 1,
      testAccuracy: 0.6,
      epochs: 1,
      plannedEpochs: 1,
      backend: 'wasm',
      seconds: 1.5,
    });
    expect(results.filter((r) => r.status === 'failed')).toHaveLength(4);
    const found = await findTrial(db.pool, first.trialId.slice(0, 10));
    expect(found).toMatchObject({ trialId: first.trialId, sweepId });
  });

  it('answers the documented example query (saturation per layer vs resolution)', async ({ db }) => {
    const { rows } = await db.pool.query<{ resolution: number; layer_name: string; eval_saturation: number }>(
      `SELECT resolution, layer_name, round(mean_eval_saturation::numeric, 3)::float8 AS eval_saturation
       FROM layer_resolution_summary
       WHERE sweep_id = $1 AND architecture = 'simple-cnn'
       ORDER BY layer_index, resolution`,
      [sweepId],
    );
    expect(rows.map((r) => [r.layer_name, r.resolution, r.eval_saturation])).toEqual([
      ['conv0', 14, 0.2],
      ['conv0', 28, 0.4],
      ['conv1', 14, 0.3],
      ['conv1', 28, 0.5],
      ['conv2', 14, 0.4],
      ['conv2', 28, 0.6],
    ]);
  });
});
