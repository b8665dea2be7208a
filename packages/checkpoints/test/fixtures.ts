import type { EpochResult } from '@satfarm/contracts';
import type { TrainerCheckpoint } from '../src/trainer-checkpoint.ts';

export const TRIAL = '0123456789abcdef0123456789abcdef';

export function epochResult(epoch: number): EpochResult {
  return {
    epoch,
    trainLoss: 1 / epoch,
    trainAccuracy: 0.5,
    testLoss: 0.9,
    testAccuracy: 0.6,
    seconds: 1.25,
    backend: 'wasm',
    layers: [
      {
        name: 'conv1',
        index: 0,
        kind: 'conv',
        width: 8,
        receptiveField: 3,
        unproductive: false,
        train: { k: 3, saturation: 0.375 },
        eval: { k: 4, saturation: 0.5 },
      },
    ],
  };
}

export function checkpoint(epoch: number): TrainerCheckpoint {
  return {
    epoch,
    weights: [
      {
        name: 'conv1/kernel',
        shape: [3, 3, 1, 2],
        dtype: 'float32',
        data: Float32Array.from({ length: 18 }, (_, i) => i * 0.5 - 3),
      },
      { name: 'conv1/bias', shape: [2], dtype: 'float32', data: Float32Array.of(Math.fround(1.4e-45), -0) },
    ],
    optimizer: [{ name: 'iter', shape: [], dtype: 'int32', data: Int32Array.of(epoch * 7) }],
    history: Array.from({ length: epoch }, (_, i) => epochResult(i + 1)),
  };
}
