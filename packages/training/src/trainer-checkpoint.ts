import * as tf from '@tensorflow/tfjs';
import type { EpochResult } from '@satfarm/contracts';
import type { SerializedTensor, TrainerCheckpoint } from '@satfarm/checkpoints';
import { CheckpointMismatchError } from './errors.ts';

export type { SerializedTensor, TrainerCheckpoint };

export async function serializeTensor(name: string, t: tf.Tensor): Promise<SerializedTensor> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const values = await t.data();
  const data = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
  return { name, shape: [...t.shape], dtype, data };
}

export async function captureCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  epoch: number,
  history: EpochResult[],
): Promise<TrainerCheckpoint> {
  const weights = await Promise.all(model.weights.map((w) => serializeTensor(w.originalName, w.read())));
  const slots = await optimizer.getWeights();
  try {
    const optimizerState = await Promise.all(slots.map((s) => serializeTensor(s.name, s.tensor)));
    return { epoch, weights, optimizer: optimizerState, history: [...history] };
  } finally {
    // getWeights() hands out the live slot variables plus one fresh `iter` scalar (first): free only that.
    slots[0]?.tensor.dispose();
  }
}

export async function restoreCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  checkpoint: TrainerCheckpoint,
): Promise<void> {
  const weights = model.weights;
  if (weights.length !== checkpoint.weights.length) {
    throw new CheckpointMismatchError(
      `checkpoint has ${checkpoint.weights.length} weight tensors but the model has ${weights.length}`,
    );
  }
  const tensors = checkpoint.weights.map((s, i) => {
    const expected = weights[i]!.shape.join('x');
    if (s.shape.join('x') !== expected) {
      throw new CheckpointMismatchError(
        `checkpoint weight ${s.name} has shape ${s.shape.join('x')}, the model expects ${expected}`,
      );
    }
    return tf.tensor(s.data, s.shape, s.dtype);
  });
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  // The optimizer makes its own variables from these tensors, so ours can go.
  const slots = checkpoint.optimizer.map((s) => ({
    name: s.name,
    tensor: tf.tensor(s.data, s.shape, s.dtype),
  }));
  await optimizer.setWeights(slots);
  for (const s of slots) s.tensor.dispose();
}
