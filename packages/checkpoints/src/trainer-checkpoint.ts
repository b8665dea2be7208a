import type { EpochResult } from '@satfarm/contracts';

export interface SerializedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/**
 * Everything needed to continue a trial after its last finished epoch: model weights (incl. batch-norm
 * moving statistics), optimizer slots and the results so far. The shuffle order is a pure function of
 * (seed, epoch) and covariance statistics are reset at every epoch boundary, so neither needs saving.
 */
export interface TrainerCheckpoint {
  epoch: number;
  weights: SerializedTensor[];
  optimizer: SerializedTensor[];
  history: EpochResult[];
}
