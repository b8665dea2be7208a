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
});
export type EpochResult = z.infer<typeof EpochResult>;
