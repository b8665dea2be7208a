import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
import { registerDeviceGradients } from './device-gradients.ts';
import { countActivity } from './step-counters.ts';

/** What tfjs-core's own gradients compute: dy times ones of x's shape (divided by n for the mean). */
function expected(x: tf.Tensor, dy: tf.Tensor, axes: number[], mean: boolean): tf.Tensor {
  return tf.tidy(() => {
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
    const full = tf.mul(tf.reshape(dy, kept), tf.ones(x.shape));
    return mean ? tf.div(full, n) : full;
  });
}

const CASES: [string, number[], number | number[] | undefined, number[]][] = [
  ['all axes', [2, 3, 4], undefined, [0, 1, 2]],
  ['spatial axes of NHWC (global average pooling)', [2, 3, 3, 4], [1, 2], [1, 2]],
  ['batch-norm moments (all but channels)', [2, 3, 3, 4], [0, 1, 2], [0, 1, 2]],
  ['a negative axis', [3, 5], -1, [1]],
];

describe('device gradients of Mean and Sum', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
    registerDeviceGradients();
  });

  it.each(CASES)('match tfjs-core’s over %s', async (_, shape, axis, axes) => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
    const outShape = shape.filter((_, i) => !axes.includes(i));
    const dy = tf.randomNormal(outShape, 0, 1, 'float32', 4);
    for (const mean of [true, false]) {
      const grad = tf.grad((t: tf.Tensor) => (mean ? tf.mean(t, axis) : tf.sum(t, axis)))(x, dy);
      const want = expected(x, dy, axes, mean);
      expect(grad.shape).toEqual(x.shape);
      expect(Array.from(await grad.data())).toEqual(Array.from(await want.data()));
      tf.dispose([grad, want]);
    }
    tf.dispose([x, dy]);
  });

  it('builds no host tensor the size of the input', async () => {
    const x = tf.randomNormal([4, 8, 8, 16]);
    const counter = countActivity();
    const grad = tf.grad((t: tf.Tensor) => tf.mean(t, [1, 2]))(x);
    counter.stop();
    // tf.grad's own dy of ones has the output's shape [4, 16]: 64 floats, not the input's 4,096.
    expect(counter.snapshot().hostTensors.bytes).toBeLessThanOrEqual(64 * 4 + 4);
    tf.dispose([x, grad]);
  });
});
