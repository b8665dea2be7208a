import * as tf from '@tensorflow/tfjs';
import { makeOptimizer, relativeError, seeded, webgpuUnavailable } from '@satfarm/backends/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { captureCheckpoint, restoreCheckpoint } from './trainer-checkpoint.ts';

/**
 * Checkpoints (trainer-checkpoint.ts) of the fused optimizer steps (@satfarm/backends) and of tfjs's own
 * Adam and momentum restore into one another. Runs wherever Dawn finds an adapter (Mesa's llvmpipe in
 * CI, see infra/scripts/ensure-services.sh); skipped, with the reason, elsewhere.
 */
const unavailable = await webgpuUnavailable('fused optimizer checkpoint tests');

const TOLERANCE = 1e-5;

describe.skipIf(unavailable !== undefined)('fused optimizer checkpoints on webgpu', () => {
  afterEach(async () => {
    await tf.setBackend('webgpu');
  });

  it.each([
    ['adam', 'fused', 'tfjs'],
    ['adam', 'tfjs', 'fused'],
    ['momentum', 'fused', 'tfjs'],
    ['momentum', 'tfjs', 'fused'],
  ] as const)('%s: a checkpoint of the %s optimizer restores into the %s one', async (kind, from, to) => {
    const build = (seed: number) => {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [6],
            units: 5,
            activation: 'tanh',
            kernelInitializer: tf.initializers.glorotUniform({ seed }),
          }),
          tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
        ],
      });
      return { model, variables: model.trainableWeights.map((w) => w.read() as tf.Variable) };
    };
    const x = tf.tensor2d(seeded(11, 8 * 6), [8, 6]);
    const y = tf.tensor2d(seeded(12, 8 * 3), [8, 3]);
    const trainSteps = (
      model: tf.LayersModel,
      variables: tf.Variable[],
      optimizer: tf.Optimizer,
      n: number,
    ) => {
      for (let s = 0; s < n; s++) {
        optimizer.minimize(
          () => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar,
          false,
          variables,
        );
      }
    };
    const source = build(1);
    const target = build(2);
    const sourceOptimizer = makeOptimizer(kind, from);
    const targetOptimizer = makeOptimizer(kind, to);
    try {
      trainSteps(source.model, source.variables, sourceOptimizer, 5);
      const checkpoint = await captureCheckpoint(source.model, sourceOptimizer, 1, []);
      await restoreCheckpoint(target.model, targetOptimizer, checkpoint);
      const restored = await captureCheckpoint(target.model, targetOptimizer, 1, []);
      expect(restored.optimizer.map((s) => s.name)).toEqual(checkpoint.optimizer.map((s) => s.name));
      expect(restored.optimizer.map((s) => s.data)).toEqual(checkpoint.optimizer.map((s) => s.data));
      expect(restored.weights.map((w) => w.data)).toEqual(checkpoint.weights.map((w) => w.data));
      // Both continue from the same state, each with its own step, on the same given gradients (through
      // the model's own gradients, float32 differences between the two steps would feed back and grow).
      for (let s = 0; s < 10; s++) {
        const grads = source.variables.map((v, i) =>
          tf.tidy(() => tf.mul(tf.tensor(seeded(100 * s + i, v.size), v.shape), 0.1)),
        );
        sourceOptimizer.applyGradients(source.variables.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
        targetOptimizer.applyGradients(target.variables.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
        tf.dispose(grads);
      }
      const a = await captureCheckpoint(source.model, sourceOptimizer, 2, []);
      const b = await captureCheckpoint(target.model, targetOptimizer, 2, []);
      for (const [i, w] of b.weights.entries()) {
        expect(relativeError(w.data, a.weights[i]!.data), w.name).toBeLessThanOrEqual(TOLERANCE);
      }
      for (const [i, s] of b.optimizer.entries()) {
        expect(s.name).toBe(a.optimizer[i]!.name);
        expect(relativeError(s.data, a.optimizer[i]!.data), s.name).toBeLessThanOrEqual(TOLERANCE);
      }
    } finally {
      sourceOptimizer.dispose();
      targetOptimizer.dispose();
      source.model.dispose();
      target.model.dispose();
      tf.dispose([x, y]);
    }
  });
});
