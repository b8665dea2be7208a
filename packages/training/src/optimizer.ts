import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '@satfarm/contracts';
import { FusedAdamOptimizer, FusedMomentumOptimizer } from '@satfarm/backends';

/**
 * `sgd` means SGD with momentum 0.9, the usual setting of the saturation papers' CIFAR runs. On webgpu
 * the step is fused into one GPU dispatch per variable (@satfarm/backends: webgpu-fused-optimizer.ts); the
 * optimizers stay tfjs's Adam and momentum in every other respect (slots, checkpoints, defaults).
 */
export function createOptimizer(training: TrainingConfig): tf.Optimizer {
  const fused = tf.getBackend() === 'webgpu';
  switch (training.optimizer) {
    case 'adam':
      // tf.train.adam's defaults: β₁ 0.9, β₂ 0.999, the backend's epsilon.
      return fused
        ? new FusedAdamOptimizer(training.learningRate, 0.9, 0.999)
        : tf.train.adam(training.learningRate);
    case 'sgd':
      return fused
        ? new FusedMomentumOptimizer(training.learningRate, 0.9)
        : tf.train.momentum(training.learningRate, 0.9);
  }
}

/**
 * Frees an optimizer completely. tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate
 * scalar its SGD base class keeps (one tensor leaked per trial), so free that one here too.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (optimizer instanceof tf.MomentumOptimizer) {
    const base = optimizer as unknown as { c?: tf.Tensor };
    if (base.c && !base.c.isDisposed) base.c.dispose();
  }
}
