import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
import { deviceConstantCount, holdDeviceConstants } from './device-constants.ts';
import { countActivity } from './step-counters.ts';

describe('holdDeviceConstants', () => {
  it('makes each scalar value once, however often ops ask for it', async () => {
    await selectBackend('cpu');
    const x = tf.tensor1d([1, 2]);
    const release = holdDeviceConstants();
    const counter = countActivity();
    try {
      for (let i = 0; i < 5; i++) tf.tidy(() => tf.mul(tf.add(x, 0.5), 3));
    } finally {
      counter.stop();
      release();
    }
    expect(counter.snapshot().hostTensors.count).toBe(2);
    x.dispose();
  });

  it('gives right values, separately for -0, NaN and int32, and survives disposal and tidy', async () => {
    await selectBackend('cpu');
    const release = holdDeviceConstants();
    try {
      const first = tf.tidy(() => tf.scalar(2.5));
      const again = tf.scalar(2.5);
      first.dispose();
      // The shared data outlives the first tensor and the tidy that made it.
      expect(await again.data()).toEqual(new Float32Array([2.5]));
      expect(Object.is((await tf.scalar(-0).data())[0], -0)).toBe(true);
      expect(Number.isNaN((await tf.scalar(Number.NaN).data())[0])).toBe(true);
      const int = tf.scalar(3, 'int32');
      expect(int.dtype).toBe('int32');
      expect(await int.data()).toEqual(new Int32Array([3]));
      expect(await tf.scalar(3).data()).toEqual(new Float32Array([3]));
      expect(deviceConstantCount()).toBe(5);
      // Not scalars: made as usual.
      expect(await tf.tensor1d([2.5]).data()).toEqual(new Float32Array([2.5]));
      expect(deviceConstantCount()).toBe(5);
    } finally {
      release();
    }
    expect(deviceConstantCount()).toBe(0);
  });

  it('frees every cached scalar with the last hold, and nests', async () => {
    await selectBackend('cpu');
    const before = tf.memory();
    const outer = holdDeviceConstants();
    const inner = holdDeviceConstants();
    tf.dispose([tf.scalar(7), tf.scalar(8)]);
    inner();
    expect(deviceConstantCount()).toBe(2);
    tf.scalar(7).dispose();
    outer();
    expect(deviceConstantCount()).toBe(0);
    expect(tf.memory()).toMatchObject({
      numTensors: before.numTensors,
      numDataBuffers: before.numDataBuffers,
    });
  });

  it('keeps a variable made from a cached scalar alive after the release', async () => {
    await selectBackend('cpu');
    const release = holdDeviceConstants();
    const v = tf.variable(tf.scalar(4));
    release();
    expect(await v.data()).toEqual(new Float32Array([4]));
    v.assign(tf.scalar(5));
    expect(await v.data()).toEqual(new Float32Array([5]));
    v.dispose();
  });
});
