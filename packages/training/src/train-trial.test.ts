import * as tf from '@tensorflow/tfjs';
import type { EpochResult } from '@satfarm/contracts';
import { normalize, syntheticDataset } from '@satfarm/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
import { TrialDivergedError } from './errors.ts';
import { smallTrialConfig } from './test-fixtures.ts';
import { trainTrial } from './train-trial.ts';
import type { TrainerCheckpoint } from './trainer-checkpoint.ts';

const dataset = normalize(
  syntheticDataset({ seed: 7, trainCount: 256, testCount: 128, size: 16, classes: 4 }),
);

const config = smallTrialConfig;

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('trainTrial', () => {
  it('learns, reports every tracked layer per epoch and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const seen: EpochResult[] = [];
    const { epochs, finished } = await trainTrial({
      config: config(),
      dataset,
      backend: 'wasm',
      onEpoch: (r) => {
        seen.push(r);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(finished).toBe(true);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(seen).toEqual(epochs);
    const last = epochs.at(-1)!;
    expect(last.testAccuracy).toBeGreaterThan(0.5); // 4 classes: chance is 0.25
    expect(last.layers.map((l) => l.kind)).toEqual(['conv', 'conv', 'conv', 'dense']);
    for (const layer of last.layers) {
      for (const mode of [layer.train, layer.eval]) {
        expect(mode.k).toBeGreaterThanOrEqual(1);
        expect(mode.k).toBeLessThanOrEqual(layer.width);
        expect(mode.saturation).toBeCloseTo(mode.k / layer.width, 12);
      }
    }
  });

  it('keeps the tensor count stable across many epochs', async () => {
    const counts: number[] = [];
    await trainTrial({
      config: config({ training: { epochs: 4, batchSize: 64 } }),
      dataset,
      backend: 'wasm',
      onEpoch: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    // After the first epoch the optimizer owns its slots; nothing may grow after that.
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('is repeatable for a seed, and a resumed run equals an uninterrupted one', async () => {
    const full = await trainTrial({ config: config(), dataset, backend: 'wasm' });
    let checkpoint: TrainerCheckpoint | undefined;
    const first = await trainTrial({
      config: config(),
      dataset,
      backend: 'wasm',
      onEpoch: async (r, capture) => {
        if (r.epoch === 1) checkpoint = await capture();
      },
      shouldStop: () => true,
    });
    expect(first.finished).toBe(false);
    expect(first.epochs).toHaveLength(1);
    const resumed = await trainTrial({ config: config(), dataset, backend: 'wasm', resume: checkpoint });
    const strip = (e: EpochResult) => ({ ...e, seconds: 0 });
    expect(resumed.epochs.map(strip)).toEqual(full.epochs.map(strip));
  });

  it('stops with TrialDivergedError when the loss is no longer finite', async () => {
    const huge = config({ training: { epochs: 3, batchSize: 32, learningRate: 100, optimizer: 'sgd' } });
    const before = tf.memory().numTensors;
    await expect(trainTrial({ config: huge, dataset, backend: 'wasm' })).rejects.toBeInstanceOf(
      TrialDivergedError,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
