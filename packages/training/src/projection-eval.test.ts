import * as tf from '@tensorflow/tfjs';
import { TrialConfig } from '@satfarm/contracts';
import { normalize, syntheticDataset } from '@satfarm/data';
import { describeArchitecture } from '@satfarm/models';
import { buildModel } from '@satfarm/models/builder';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backends/index.ts';
import { type ChannelProjection, forwardWithProjections } from './forward-with-projections.ts';
import { trainTrial } from './train-trial.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const dataset = normalize(
  syntheticDataset({ seed: 4, trainCount: 384, testCount: 192, size: 16, classes: 4 }),
);

describe('forwardWithProjections', () => {
  it('equals the model itself with identity projections, and changes it with a rank-0 one', () => {
    const graph = describeArchitecture('resnet18', {
      resolution: 8,
      channels: 1,
      classes: 4,
      widthMultiplier: 1 / 16,
    });
    const { model, tracked } = buildModel(graph, { seed: 2 });
    const x = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 1);
    const identity = new Map<string, ChannelProjection>(
      tracked.map((l) => [
        l.name,
        { mean: tf.randomNormal([l.width]) as tf.Tensor1D, matrix: tf.eye(l.width) as tf.Tensor2D },
      ]),
    );
    const direct = (model.apply(x, { training: false }) as tf.Tensor[])[0]!;
    const walked = forwardWithProjections(model, x, identity);
    expect(tf.max(tf.abs(tf.sub(direct, walked))).dataSync()[0]).toBeLessThan(1e-4);
    // Projecting the first conv onto nothing (P = 0) makes its output the constant μ: the logits change.
    const first = tracked[0]!;
    const collapsed = new Map([
      [
        first.name,
        {
          mean: tf.zeros([first.width]) as tf.Tensor1D,
          matrix: tf.zeros([first.width, first.width]) as tf.Tensor2D,
        },
      ],
    ]);
    const changed = forwardWithProjections(model, x, collapsed);
    expect(tf.max(tf.abs(tf.sub(direct, changed))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([
      x,
      direct,
      walked,
      changed,
      ...[...identity.values(), ...collapsed.values()].flatMap((p) => [p.mean, p.matrix]),
    ]);
    model.dispose();
  });
});

describe('projection test after the last epoch', () => {
  it('reports accuracy per δ that approaches the unprojected accuracy as δ grows, and a random control', async () => {
    const config = TrialConfig.parse({
      architecture: 'simple-cnn',
      resolution: 16,
      seed: 5,
      depth: 3,
      baseWidth: 8,
      dataset: { name: 'synthetic' },
      training: { epochs: 2, batchSize: 32, learningRate: 0.01 },
      projection: {},
    });
    const before = tf.memory().numTensors;
    const { epochs } = await trainTrial({ config, dataset, backend: 'wasm' });
    expect(tf.memory().numTensors).toBe(before);
    expect(epochs[0]!.projection).toBeUndefined();
    const last = epochs[1]!;
    const projection = last.projection!;
    expect(projection.map((p) => p.delta)).toEqual([0.9, 0.95, 0.99, 0.999]);
    const width = last.layers.reduce((a, l) => a + l.width, 0);
    for (const p of projection) {
      expect(p.width).toBe(width);
      expect(p.k).toBeLessThanOrEqual(width);
    }
    expect(projection.map((p) => p.k)).toEqual([...projection.map((p) => p.k)].sort((a, b) => a - b));
    // At δ = 0.999 almost nothing is removed: the accuracy is the unprojected one, give or take a few examples.
    expect(Math.abs(projection[3]!.accuracy - last.testAccuracy)).toBeLessThanOrEqual(0.03);
    expect(last.tailLength).toBeGreaterThanOrEqual(0);
  });
});
