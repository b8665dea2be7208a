import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batch-norm-training.ts';
import { InvalidArchitectureOptionError } from './errors.ts';
import type { ArchitectureGraph, LayerSpec } from './layer-graph.ts';

export interface BuiltModel {
  /** outputs = [logits, ...one raw output per tracked layer, in forward order]. */
  model: tf.LayersModel;
  tracked: LayerSpec[];
}

/** Layers per graph stay far below this, so per-layer seeds of different model seeds never meet. */
const SEEDS_PER_MODEL = 1000;

/**
 * Seed of layer `index`'s initializer. Not `seed + index`: with that, model seed s+1's layer i
 * would get exactly the weights of model seed s's layer i+1 wherever the shapes agree (VGG's
 * 512→512 convs), so "independent" seeds of a sweep would share most of their weights.
 */
function layerSeed(seed: number, index: number): number {
  return seed * SEEDS_PER_MODEL + index;
}

function inputOf(
  layer: LayerSpec,
  outputs: ReadonlyMap<string, tf.SymbolicTensor>,
  networkInput: tf.SymbolicTensor,
): tf.SymbolicTensor[] {
  if (layer.inputs.length === 0) return [networkInput];
  return layer.inputs.map((name) => {
    const tensor = outputs.get(name);
    if (tensor === undefined)
      throw new Error(`layer '${layer.name}' reads '${name}', which is not built before it`);
    return tensor;
  });
}

function applyOne(
  layer: tf.layers.Layer,
  inputs: tf.SymbolicTensor | tf.SymbolicTensor[],
): tf.SymbolicTensor {
  const output = layer.apply(inputs);
  if (Array.isArray(output) || !(output instanceof tf.SymbolicTensor)) {
    throw new Error(`layer '${layer.name}' did not produce one symbolic tensor`);
  }
  return output;
}

/** The layer's own operation, before batch norm and activation (the output delve would hook). */
function coreLayer(spec: LayerSpec, seed: number): tf.layers.Layer {
  const { name } = spec;
  switch (spec.kind) {
    case 'conv':
      return tf.layers.conv2d({
        name,
        filters: spec.width,
        kernelSize: spec.kernel,
        strides: spec.stride,
        padding: spec.padding,
        dilationRate: spec.dilation,
        // Batch norm's beta does a bias's job.
        useBias: !spec.batchNorm,
        kernelInitializer: tf.initializers.heNormal({ seed }),
        activation: 'linear',
      });
    case 'dense':
      return tf.layers.dense({
        name,
        units: spec.width,
        useBias: !spec.batchNorm,
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        activation: 'linear',
      });
    case 'pool':
      return tf.layers.maxPooling2d({
        name,
        poolSize: spec.kernel,
        strides: spec.stride,
        padding: spec.padding,
      });
    case 'add':
      return tf.layers.add({ name });
    case 'gap':
      return tf.layers.globalAveragePooling2d({ name });
    case 'flatten':
      return tf.layers.flatten({ name });
  }
}

/**
 * Builds the graph as a functional tf.LayersModel with seeded initializers (same seed → same
 * weights). Each conv/dense is followed, as its spec says, by a batch norm (momentum 0.9: the Keras
 * default 0.99 lags too far behind in runs of a few epochs) and an activation. The first output is
 * an identity layer named `logits`, so it stays distinct from the tracked classifier output.
 */
export function buildModel(graph: ArchitectureGraph, opts: { seed: number }): BuiltModel {
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) {
    throw new InvalidArchitectureOptionError('seed', opts.seed, 'a non-negative integer');
  }
  if (graph.layers.length > SEEDS_PER_MODEL) {
    throw new InvalidArchitectureOptionError(
      'layer count',
      graph.layers.length,
      `at most ${SEEDS_PER_MODEL} layers`,
    );
  }
  const networkInput = tf.input({
    shape: [graph.resolution, graph.resolution, graph.channels],
    name: 'input',
  });
  const outputs = new Map<string, tf.SymbolicTensor>();
  const trackedOutputs: tf.SymbolicTensor[] = [];
  const tracked: LayerSpec[] = [];
  let last: tf.SymbolicTensor = networkInput;
  graph.layers.forEach((spec, index) => {
    const inputs = inputOf(spec, outputs, networkInput);
    let output = applyOne(
      coreLayer(spec, layerSeed(opts.seed, index)),
      inputs.length === 1 ? inputs[0]! : inputs,
    );
    if (spec.tracked) {
      trackedOutputs.push(output);
      tracked.push(spec);
    }
    if (spec.batchNorm) {
      // tfjs-layers' batch norm with a fused training step (see batch-norm-training.ts).
      output = applyOne(batchNormalization({ name: `${spec.name}_bn`, momentum: 0.9 }), output);
    }
    if (spec.activation === 'relu') {
      output = applyOne(tf.layers.activation({ name: `${spec.name}_relu`, activation: 'relu' }), output);
    }
    outputs.set(spec.name, output);
    last = output;
  });
  const logits = applyOne(tf.layers.activation({ name: 'logits', activation: 'linear' }), last);
  const model = tf.model({
    inputs: networkInput,
    outputs: [logits, ...trackedOutputs],
    name: graph.architecture,
  });
  return { model, tracked };
}
