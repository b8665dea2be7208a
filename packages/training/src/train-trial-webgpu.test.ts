import * as tf from '@tensorflow/tfjs';
import { normalize, syntheticDataset } from '@satfarm/data';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
import { webgpuUnavailable } from '@satfarm/backends/testing';
import { smallTrialConfig } from './test-fixtures.ts';
import { trainTrial } from './train-trial.ts';

/**
 * The whole training loop on webgpu — asynchronous reads only, one packed read back per batch, each
 * batch's numbers settled after the next is queued — against the same trial on wasm. Runs wherever
 * Dawn finds an adapter (Mesa's llvmpipe in CI, see infra/scripts/ensure-services.sh).
 */
const missing = await webgpuUnavailable('webgpu training test');

const dataset = normalize(
  syntheticDataset({ seed: 7, trainCount: 192, testCount: 64, size: 12, classes: 4 }),
);
const config = smallTrialConfig({ resolution: 12 });

describe.skipIf(missing !== undefined)('trainTrial on webgpu', () => {
  it('matches wasm epoch by epoch and leaks no tensor', async () => {
    await selectBackend('wasm');
    const wasm = await trainTrial({ config, dataset, backend: 'wasm' });
    await selectBackend('webgpu');
    const before = tf.memory().numTensors;
    const gpu = await trainTrial({ config, dataset, backend: 'webgpu' });
    expect(tf.memory().numTensors).toBe(before);
    expect(gpu.epochs).toHaveLength(2);
    for (const [e, epoch] of gpu.epochs.entries()) {
      const reference = wasm.epochs[e]!;
      // Different kernels sum in different orders: float32 rounding, nothing more.
      expect(epoch.trainLoss).toBeCloseTo(reference.trainLoss, 3);
      expect(epoch.testLoss).toBeCloseTo(reference.testLoss, 3);
      expect(Math.abs(epoch.testAccuracy - reference.testAccuracy)).toBeLessThanOrEqual(2 / 64);
      for (const [i, layer] of epoch.layers.entries()) {
        const ref = reference.layers[i]!;
        expect(Math.abs(layer.eval.k - ref.eval.k)).toBeLessThanOrEqual(1);
        expect(Math.abs(layer.train.k - ref.train.k)).toBeLessThanOrEqual(1);
      }
    }
  });
});
