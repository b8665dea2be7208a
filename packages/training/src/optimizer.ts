import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '@satfarm/contracts';

/** `sgd` means SGD with momentum 0.9, the usual setting of the saturation papers' CIFAR runs. */
export function createOptimizer(training: TrainingConfig): tf.Optimizer {
  switch (training.optimizer) {
    case 'adam':
      return tf.train.adam(training.learningRate);
    case 'sgd':
      return tf.train.momentum(training.learningRate, 0.9);
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
