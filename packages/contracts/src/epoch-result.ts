import { z } from 'zod';

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

/** Test accuracy with every tracked layer projected onto its δ-eigenspace, and the random control. */
export const ProjectionResult = z.object({
  delta: z.number().gt(0).lt(1),
  /** Sum over tracked layers of the eigenspace dimensions k, and of the layer widths. */
  k: z.number().int().min(0),
  width: z.number().int().min(1),
  accuracy: z.number().min(0).max(1),
  randomAccuracy: z.number().min(0).max(1),
});
export type ProjectionResult = z.infer<typeof ProjectionResult>;

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
  /** Only on a trial's last epoch, when projection was asked for. */
  projection: z.array(ProjectionResult).optional(),
});
export type EpochResult = z.infer<typeof EpochResult>;
