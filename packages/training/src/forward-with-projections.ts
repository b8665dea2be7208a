import * as tf from '@tensorflow/tfjs';

/** A layer output replacement: x ↦ μ + (x − μ)·P over the channel axis (P symmetric, d×d). */
export interface ChannelProjection {
  mean: tf.Tensor1D;
  matrix: tf.Tensor2D;
}

/** Layer name → its replacement; layers not named run unchanged. */
export type Projections = ReadonlyMap<string, ChannelProjection>;

/**
 * A functional model as positions in `model.layers` (tfjs-layers keeps them in topological order, and
 * every satfarm layer has one inbound node): which positions each layer reads, and the last position
 * that reads each output, so a pass can free an output as soon as nothing later needs it.
 */
export interface LayerWalk {
  layers: readonly tf.layers.Layer[];
  inputs: readonly (readonly number[])[];
  lastUse: readonly number[];
  positionOf: ReadonlyMap<string, number>;
  /** Position of the model's first output (the logits). */
  output: number;
}

export function planWalk(model: tf.LayersModel): LayerWalk {
  const layers = model.layers;
  const positionOf = new Map(layers.map((layer, position) => [layer.name, position]));
  const inputs = layers.map((layer, position) => {
    if (layer.getClassName() === 'InputLayer') {
      if (position !== 0) throw new Error(`input layer ${layer.name} is not the first layer`);
      return [];
    }
    return (layer.inboundNodes[0]?.inboundLayers ?? []).map((l) => {
      const from = positionOf.get(l.name);
      if (from === undefined || from >= position) {
        throw new Error(`layer ${layer.name} reads ${l.name}, which does not run before it`);
      }
      return from;
    });
  });
  const lastUse = layers.map((_, position) => position);
  inputs.forEach((from, position) => {
    for (const p of from) lastUse[p] = Math.max(lastUse[p]!, position);
  });
  const outputName = model.outputLayers[0]?.name;
  const output = outputName === undefined ? undefined : positionOf.get(outputName);
  if (output === undefined) throw new Error('the model has no output layer');
  return { layers, inputs, lastUse, positionOf, output };
}

/**
 * Runs many projected versions of a model on one batch (inference mode), sharing the unprojected
 * prefix: the plain pass runs once, and each variant continues from its first projected layer's plain
 * output, so projecting a late layer costs only the layers after it. `score` turns logits into what
 * is kept (e.g. the number of correct answers). Returns the plain pass's score and each variant's, in
 * order; the caller disposes them. Every other tensor is freed here.
 */
export function scoreVariants(
  walk: LayerWalk,
  x: tf.Tensor,
  variants: readonly Projections[],
  score: (logits: tf.Tensor) => tf.Tensor,
): { plain: tf.Tensor; variants: tf.Tensor[] } {
  const startsAt = new Map<number, number[]>();
  const scores: (tf.Tensor | undefined)[] = variants.map(() => undefined);
  variants.forEach((projections, v) => {
    const start = Math.min(...[...projections.keys()].map((name) => positionOfLayer(walk, name)));
    if (!Number.isFinite(start)) {
      throw new Error(`variant ${v} projects no layer; score the plain pass instead`);
    }
    startsAt.set(start, [...(startsAt.get(start) ?? []), v]);
  });
  const plain: (tf.Tensor | undefined)[] = [x];
  try {
    for (let p = 1; p <= walk.output; p++) {
      plain[p] = tf.tidy(() => applyLayer(walk, p, (q) => plain[q]!));
      for (const v of startsAt.get(p) ?? []) {
        scores[v] = tf.tidy(() => score(continueFrom(walk, p, plain, variants[v]!)));
      }
      // x is the caller's; anything else nothing later reads can go.
      for (const q of walk.inputs[p]!) if (q > 0 && walk.lastUse[q] === p) release(plain, q, new Set([x]));
    }
    const plainScore = tf.tidy(() => score(plain[walk.output]!));
    return { plain: plainScore, variants: scores.map((s) => s!) };
  } catch (error) {
    tf.dispose(scores.filter((s) => s !== undefined));
    throw error;
  } finally {
    for (let q = 1; q < plain.length; q++) release(plain, q, new Set([x]));
  }
}

/**
 * Runs a functional model in inference mode, replacing the output of every layer named in
 * `projections` by its projection before the next layer sees it. Returns the logits.
 */
export function forwardWithProjections(
  model: tf.LayersModel,
  x: tf.Tensor,
  projections: Projections,
): tf.Tensor {
  const walk = planWalk(model);
  const values: (tf.Tensor | undefined)[] = [x];
  return tf.tidy(() => {
    for (let p = 1; p <= walk.output; p++) {
      const out = applyLayer(walk, p, (q) => values[q]!);
      const projection = projections.get(walk.layers[p]!.name);
      values[p] = projection ? project(out, projection) : out;
    }
    return values[walk.output]!;
  });
}

/**
 * The logits of one variant: position `start`'s plain output projected, then the layers after it, each
 * reading this variant's outputs where it has them and the plain pass's before `start`. Call in tidy.
 */
function continueFrom(
  walk: LayerWalk,
  start: number,
  plain: readonly (tf.Tensor | undefined)[],
  projections: Projections,
): tf.Tensor {
  const own: (tf.Tensor | undefined)[] = [];
  const read = (q: number) => {
    const value = q >= start ? own[q] : plain[q];
    if (value === undefined) throw new Error(`layer output ${walk.layers[q]?.name} is no longer held`);
    return value;
  };
  own[start] = project(plain[start]!, projections.get(walk.layers[start]!.name)!);
  const shared = new Set(plain.filter((t) => t !== undefined));
  for (let p = start + 1; p <= walk.output; p++) {
    const out = applyLayer(walk, p, read);
    const projection = projections.get(walk.layers[p]!.name);
    own[p] = projection ? project(out, projection) : out;
    // Free as we go: a variant of a deep network would otherwise hold every activation of the batch.
    for (const q of walk.inputs[p]!) if (q >= start && walk.lastUse[q] === p) release(own, q, shared);
  }
  return own[walk.output]!;
}

function applyLayer(walk: LayerWalk, p: number, read: (q: number) => tf.Tensor): tf.Tensor {
  const inputs = walk.inputs[p]!.map(read);
  return walk.layers[p]!.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }) as tf.Tensor;
}

/**
 * Disposes `values[q]` unless another held position, or `keep`, shares the tensor: identity layers
 * (the linear `logits` activation) return their input itself.
 */
function release(values: (tf.Tensor | undefined)[], q: number, keep: ReadonlySet<tf.Tensor>): void {
  const t = values[q];
  values[q] = undefined;
  if (t !== undefined && !keep.has(t) && !values.includes(t)) t.dispose();
}

function positionOfLayer(walk: LayerWalk, name: string): number {
  const position = walk.positionOf.get(name);
  if (position === undefined || position === 0 || position > walk.output) {
    throw new Error(`cannot project ${name}: not a layer on the way to the model's output`);
  }
  return position;
}

function project(out: tf.Tensor, { mean, matrix }: ChannelProjection): tf.Tensor {
  const width = out.shape[out.rank - 1]!;
  const rows = tf.reshape(out, [-1, width]);
  const centred = tf.sub(rows, mean);
  return tf.reshape(tf.add(tf.matMul(centred, matrix), mean), out.shape);
}
