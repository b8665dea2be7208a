import { parseSweepSpec, type SweepSpec } from '@satfarm/contracts';

export interface TinySweepOptions {
  name: string;
  trials: number;
  epochs: number;
  depth: number;
  dataset: 'synthetic' | 'fashion-mnist';
}

/** Samples per split and per batch: each epoch is one training batch and one test batch. */
export const TINY_BATCH = 8;
/** Smallest side that the tiny CNN's pools allow at any depth (3 pools at most). */
export const TINY_RESOLUTION = 8;

/**
 * A sweep whose trials train almost nothing (one batch of 8 samples at 8 px per epoch, 4-channel convs),
 * so that what is measured is the farm around the training: queueing, sandboxed children, checkpoints,
 * result events, aggregator and PostgreSQL. Trials differ by seed, the usual sweep axis.
 */
export function tinySweepSpec(options: TinySweepOptions): SweepSpec {
  return parseSweepSpec({
    name: options.name,
    dataset: { name: options.dataset, trainLimit: TINY_BATCH, testLimit: TINY_BATCH },
    grid: {
      architecture: ['simple-cnn'],
      resolution: [TINY_RESOLUTION],
      seed: Array.from({ length: options.trials }, (_, i) => i + 1),
      depth: [options.depth],
      baseWidth: [4],
    },
    training: { epochs: options.epochs, batchSize: TINY_BATCH, learningRate: 0.01 },
    retries: 0,
  });
}
