import { z } from 'zod';
import { ProjectionFit } from './trial-config.ts';

export const LayerKind = z.enum(['conv', 'pool', 'dense', 'add', 'gap', 'flatten']);
export type LayerKind = z.infer<typeof LayerKind>;

export const ModeSaturation = z.object({ k: z.number().int().min(0), saturation: z.number().min(0).max(1) });
export type ModeSaturation = z.infer<typeof ModeSaturation>;

export const LayerEpochResult = z.object({
  name: z.string(),
  index: z.number().int().min(0),
  kind: LayerKind,
  width: z.number().int().min(1),
  receptiveField: z.number().int().min(1),
  unproductive: z.boolean(),
  train: ModeSaturation,
  eval: ModeSaturation,
});
export type LayerEpochResult = z.infer<typeof LayerEpochResult>;

/**
 * Legacy (satfarm before the projection test followed phd-lab): test accuracy with every tracked layer,
 * the classifier included, projected onto the δ-eigenspace of its test-set covariance, and one random
 * draw. Still accepted, and stored in `projection_metrics`, so results sent by older workers land.
 */
export const ProjectionResult = z.object({
  delta: z.number().gt(0).lt(1),
  /** Sum over tracked layers of the eigenspace dimensions k, and of the layer widths. */
  k: z.number().int().min(0),
  width: z.number().int().min(1),
  accuracy: z.number().min(0).max(1),
  randomAccuracy: z.number().min(0).max(1),
});
export type ProjectionResult = z.infer<typeof ProjectionResult>;

/** One projected layer of a projection test: its name and position among the tracked layers. */
export const ProjectedLayer = z.object({
  name: z.string().min(1),
  index: z.number().int().min(0),
  width: z.number().int().min(1),
});
export type ProjectedLayer = z.infer<typeof ProjectedLayer>;

/** One (δ, scope) of a projection test: the eigenspace's accuracy and each random draw's. */
export const ProjectionRow = z.object({
  delta: z.number().gt(0).lt(1),
  /** The layer projected alone, or null for every projected layer at once. */
  layer: z.string().min(1).nullable(),
  /** Eigenspace dimensions kept, summed over the projected layers; and their widths, summed. */
  k: z.number().int().min(0),
  width: z.number().int().min(1),
  accuracy: z.number().min(0).max(1),
  /** Test accuracy with random orthonormal bases of the same k per layer, one entry per draw. */
  randomAccuracies: z.array(z.number().min(0).max(1)).min(1),
});
export type ProjectionRow = z.infer<typeof ProjectionRow>;

/** The projection test of a trial's last epoch, as configured by its `projection` settings. */
export const ProjectionTest = z
  .object({
    fit: ProjectionFit,
    includesClassifier: z.boolean(),
    randomDraws: z.number().int().min(1),
    /** Wall time of the whole test (every δ, scope and draw). */
    seconds: z.number().min(0),
    /** The projected layers in forward order; an all-layer row projects every one of them. */
    layers: z.array(ProjectedLayer).min(1),
    rows: z.array(ProjectionRow),
  })
  .superRefine((test, ctx) => {
    const names = new Set(test.layers.map((l) => l.name));
    test.rows.forEach((row, i) => {
      if (row.layer !== null && !names.has(row.layer)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i, 'layer'],
          input: row.layer,
          message: `layer ${JSON.stringify(row.layer)} is not among the projected layers (${[...names].join(', ')})`,
        });
      }
      if (row.randomAccuracies.length !== test.randomDraws) {
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i, 'randomAccuracies'],
          input: row.randomAccuracies.length,
          message: `got ${row.randomAccuracies.length} random draws, expected randomDraws = ${test.randomDraws}`,
        });
      }
      if (row.k > row.width) {
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i, 'k'],
          input: row.k,
          message: `k ${row.k} exceeds the width ${row.width}`,
        });
      }
    });
  });
export type ProjectionTest = z.infer<typeof ProjectionTest>;

/** Mean and sample standard deviation (null for one draw) of the random control's accuracies. */
export function randomControl(accuracies: readonly number[]): { mean: number; std: number | null } {
  const n = accuracies.length;
  const mean = accuracies.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: null };
  const squares = accuracies.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (n - 1)) };
}

/** One finished epoch of one trial, as printed by `satfarm train --json` and sent to the aggregator. */
export const EpochResult = z.object({
  epoch: z.number().int().min(1),
  trainLoss: z.number(),
  trainAccuracy: z.number().min(0).max(1),
  testLoss: z.number(),
  testAccuracy: z.number().min(0).max(1),
  seconds: z.number().min(0),
  backend: z.string(),
  layers: z.array(LayerEpochResult),
  /** Trailing tracked layers (classifier excluded) far below the network's median saturation (eval). */
  tailLength: z.number().int().min(0).optional(),
  /** Legacy projection results (see ProjectionResult); current trainers send `projectionTest`. */
  projection: z.array(ProjectionResult).optional(),
  /** Only on a trial's last epoch, when projection was asked for. */
  projectionTest: ProjectionTest.optional(),
});
export type EpochResult = z.infer<typeof EpochResult>;
