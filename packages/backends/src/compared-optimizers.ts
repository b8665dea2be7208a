import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer, FusedMomentumOptimizer } from './webgpu-fused-optimizer.ts';

export type OptimizerKind = 'adam' | 'momentum';
/** `fused`: one WebGPU dispatch per variable (webgpu-fused-optimizer.ts); `tfjs`: tfjs's own optimizer. */
export type OptimizerFlavour = 'fused' | 'tfjs';

/**
 * For tests comparing the fused steps with tfjs's: the same optimizer in either flavour, with the same
 * hyperparameters (Adam at learning rate 0.01, β 0.9/0.999; momentum 0.9 at 0.05).
 */
export function makeOptimizer(kind: OptimizerKind, flavour: OptimizerFlavour): tf.Optimizer {
  if (kind === 'adam')
    return flavour === 'fused' ? new FusedAdamOptimizer(0.01, 0.9, 0.999) : tf.train.adam(0.01);
  return flavour === 'fused' ? new FusedMomentumOptimizer(0.05, 0.9) : tf.train.momentum(0.05, 0.9);
}
