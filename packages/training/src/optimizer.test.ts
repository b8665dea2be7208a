import * as tf from '@tensorflow/tfjs';
import { TrainingConfig } from '@satfarm/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { FusedAdamOptimizer, FusedMomentumOptimizer } from '@satfarm/backends';
import { webgpuUnavailable } from '@satfarm/backends/testing';
import { createOptimizer, disposeOptimizer } from './optimizer.ts';

const unavailable = await webgpuUnavailable('createOptimizer on webgpu');

const adam = TrainingConfig.parse({ epochs: 1, batchSize: 8, optimizer: 'adam', learningRate: 0.003 });
const sgd = TrainingConfig.parse({ epochs: 1, batchSize: 8, optimizer: 'sgd', learningRate: 0.1 });

// Not `instanceof`: tfjs's Optimizer answers it by duck typing, so every optimizer is every kind.
const classOf = (o: tf.Optimizer) => Object.getPrototypeOf(o).constructor;

describe('createOptimizer', () => {
  afterAll(async () => {
    if (unavailable === undefined) await tf.setBackend('webgpu');
  });

  it('gives tfjs’s own optimizers on cpu', async () => {
    await tf.setBackend('cpu');
    const a = createOptimizer(adam);
    const s = createOptimizer(sgd);
    expect(classOf(a)).toBe(tf.AdamOptimizer);
    expect(classOf(s)).toBe(tf.MomentumOptimizer);
    disposeOptimizer(a);
    disposeOptimizer(s);
  });

  it.skipIf(unavailable !== undefined)('gives the fused ones on webgpu, configured as tfjs’s', async () => {
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const a = createOptimizer(adam);
    const s = createOptimizer(sgd);
    expect(classOf(a)).toBe(FusedAdamOptimizer);
    expect(classOf(s)).toBe(FusedMomentumOptimizer);
    const plainAdam = tf.train.adam(0.003);
    const plainMomentum = tf.train.momentum(0.1, 0.9);
    expect(a.getConfig()).toEqual(plainAdam.getConfig());
    expect(s.getConfig()).toEqual(plainMomentum.getConfig());
    expect(a.getClassName()).toBe('Adam');
    expect(s.getClassName()).toBe('Momentum');
    for (const o of [a, s, plainAdam, plainMomentum]) disposeOptimizer(o);
    expect(tf.memory().numTensors).toBe(before);
  });
});
