import { TrialConfig } from '@satfarm/contracts';

/** Builders for this package's tests (not exported from the package). */

/**
 * A small trial on the synthetic set, seconds on wasm: simple-cnn of depth 3 and base width 8 at 16 px,
 * seed 3, 2 epochs of batches of 32 at learning rate 0.01. `overrides` replace whole top-level fields.
 */
export function smallTrialConfig(overrides: Record<string, unknown> = {}): TrialConfig {
  return TrialConfig.parse({
    architecture: 'simple-cnn',
    resolution: 16,
    seed: 3,
    depth: 3,
    baseWidth: 8,
    dataset: { name: 'synthetic' },
    training: { epochs: 2, batchSize: 32, learningRate: 0.01 },
    ...overrides,
  });
}
