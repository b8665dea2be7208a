import * as tf from '@tensorflow/tfjs';

/** A layer output replacement: x ↦ μ + (x − μ)·P over the channel axis (P symmetric, d×d). */
export interface ChannelProjection {
  mean: tf.Tensor1D;
  matrix: tf.Tensor2D;
}

/**
 * Runs a functional model in inference mode layer by layer, replacing the output of every layer named
 * in `projections` by its projection before the next layer sees it. tfjs-layers keeps `model.layers`
 * in topological order and every satfarm layer has one inbound node, so each layer's inputs are the
 * outputs of its inbound layers. Returns the model's first output (the logits). Call inside tf.tidy.
 */
export function forwardWithProjections(
  model: tf.LayersModel,
  x: tf.Tensor,
  projections: ReadonlyMap<string, ChannelProjection>,
): tf.Tensor {
  const values = new Map<string, tf.Tensor>();
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') {
      values.set(layer.name, x);
      continue;
    }
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const inputs = inbound.map((l) => {
      const v = values.get(l.name);
      if (!v) throw new Error(`layer ${layer.name} needs ${l.name}, which has not run yet`);
      return v;
    });
    let out = layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }) as tf.Tensor;
    const projection = projections.get(layer.name);
    if (projection) out = project(out, projection);
    values.set(layer.name, out);
  }
  const first = model.outputLayers[0];
  const logits = first && values.get(first.name);
  if (!logits) throw new Error('the model has no output layer');
  return logits;
}

function project(out: tf.Tensor, { mean, matrix }: ChannelProjection): tf.Tensor {
  const width = out.shape[out.rank - 1]!;
  const rows = tf.reshape(out, [-1, width]);
  const centred = tf.sub(rows, mean);
  return tf.reshape(tf.add(tf.matMul(centred, matrix), mean), out.shape);
}
