import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTraining, batchNormalization, TrainingBatchNormalization } from './batch-norm-training.ts';
import { buildModel } from './build-model.ts';
import { describeArchitecture } from './describe.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const EPSILON = 1e-3;
const TOLERANCE = 1e-5;

/** max |actual − expected| / max |expected|: the relative error of the whole tensor. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < e.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - e[i]!));
    scale = Math.max(scale, Math.abs(e[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Frees a layer's weights (tfjs-layers refuses to dispose a layer that never saw a symbolic input). */
function release(...layers: tf.layers.Layer[]): void {
  for (const layer of layers) for (const weight of layer.weights) weight.dispose();
}

function seededWeights(channels: number, seed: number): tf.Tensor[] {
  return [
    tf.randomNormal([channels], 1, 0.3, 'float32', seed),
    tf.randomNormal([channels], 0, 0.3, 'float32', seed + 1),
    tf.randomNormal([channels], 0, 1, 'float32', seed + 2),
    tf.randomUniform([channels], 0.5, 2, 'float32', seed + 3),
  ];
}

/** The tfjs-layers layer and ours, built for `shape` with the same (non-default) weights. */
function layerPair(shape: number[], seed: number) {
  const weights = seededWeights(shape.at(-1)!, seed);
  const stock = tf.layers.batchNormalization({ momentum: 0.9 });
  const fused = batchNormalization({ momentum: 0.9 });
  for (const layer of [stock, fused]) {
    layer.build(shape);
    layer.setWeights(weights);
  }
  tf.dispose(weights);
  return { stock, fused };
}

interface TrainingStep {
  y: tf.Tensor;
  dx: tf.Tensor;
  dGamma: tf.Tensor;
  dBeta: tf.Tensor;
}

/** One training-mode call under a gradient tape: the output and d(sum(y·r)) w.r.t. x, gamma and beta. */
function trainingStep(layer: tf.layers.Layer, x: tf.Variable, r: tf.Tensor): TrainingStep {
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read());
  if (!(gamma instanceof tf.Variable) || !(beta instanceof tf.Variable)) throw new Error('no variables');
  let y: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
    return tf.sum(tf.mul(y, r));
  }, [x, gamma, beta]);
  value.dispose();
  return { y: y!, dx: grads[x.name]!, dGamma: grads[gamma.name]!, dBeta: grads[beta.name]! };
}

const cases = [
  { what: 'NHWC conv activations', shape: [3, 5, 7, 4], mean: 2, std: 3 },
  { what: 'NHWC, odd sides and channels', shape: [2, 9, 3, 33], mean: -1, std: 0.7 },
  { what: 'NHWC, a mean far above the spread', shape: [4, 6, 6, 8], mean: 50, std: 0.5 },
  { what: 'dense activations', shape: [6, 10], mean: 0.5, std: 2 },
  { what: 'dense, odd sizes', shape: [7, 3], mean: 0, std: 1 },
  { what: 'rank 3', shape: [5, 3, 7], mean: 1, std: 1 },
];

describe('TrainingBatchNormalization in training mode equals tfjs-layers', () => {
  for (const { what, shape, mean, std } of cases) {
    it(`${what} ${shape.join('×')}: output, moving statistics and gradients`, () => {
      const { stock, fused } = layerPair(shape, 11);
      const x = tf.variable(tf.randomNormal(shape, mean, std, 'float32', 1));
      const r = tf.randomNormal(shape, 0, 1, 'float32', 2);
      // Two steps: the moving averages after one and after two updates.
      for (let step = 0; step < 2; step++) {
        const expected = trainingStep(stock, x, r);
        const actual = trainingStep(fused, x, r);
        // Forward: tfjs-layers' arithmetic op for op, so the same numbers.
        expect(actual.y.dataSync()).toEqual(expected.y.dataSync());
        const [stockWeights, fusedWeights] = [stock.getWeights(), fused.getWeights()];
        expect(fusedWeights.map((w) => w.dataSync())).toEqual(stockWeights.map((w) => w.dataSync()));
        expect(relativeError(actual.dx, expected.dx)).toBeLessThanOrEqual(TOLERANCE);
        expect(relativeError(actual.dGamma, expected.dGamma)).toBeLessThanOrEqual(TOLERANCE);
        expect(relativeError(actual.dBeta, expected.dBeta)).toBeLessThanOrEqual(TOLERANCE);
        tf.dispose([...Object.values(expected), ...Object.values(actual)]);
      }
      // And the moving statistics moved (momentum 0.9 toward the batch's).
      const initial = seededWeights(shape.at(-1)!, 11);
      expect(relativeError(fused.getWeights()[2]!, initial[2]!)).toBeGreaterThan(1e-3);
      tf.dispose([x, r, ...initial]);
      release(stock, fused);
    });
  }

  for (const shape of [
    [1, 5],
    [1, 1, 1, 6],
  ]) {
    it(`one sample per channel (${shape.join('×')}): y = beta, dx = 0, dgamma = 0, dbeta = dy`, () => {
      const { stock, fused } = layerPair(shape, 3);
      const x = tf.variable(tf.randomNormal(shape, 1, 3, 'float32', 1));
      const r = tf.randomNormal(shape, 0, 1, 'float32', 2);
      const expected = trainingStep(stock, x, r);
      const actual = trainingStep(fused, x, r);
      expect(actual.y.dataSync()).toEqual(expected.y.dataSync());
      expect(fused.getWeights().map((w) => w.dataSync())).toEqual(
        stock.getWeights().map((w) => w.dataSync()),
      );
      expect(Array.from(actual.dx.dataSync()).every((v) => v === 0)).toBe(true);
      // tfjs-layers' dx is rounding noise here: measured against γ·dy/sqrt(ε), the size of its terms.
      const gamma = stock.getWeights()[0]!;
      const termSize =
        (tf.max(tf.abs(r)).dataSync()[0]! * tf.max(tf.abs(gamma)).dataSync()[0]!) / Math.sqrt(EPSILON);
      for (const v of expected.dx.dataSync()) expect(Math.abs(v)).toBeLessThanOrEqual(TOLERANCE * termSize);
      expect(actual.dGamma.dataSync()).toEqual(expected.dGamma.dataSync());
      expect(actual.dBeta.dataSync()).toEqual(r.dataSync());
      tf.dispose([x, r, ...Object.values(expected), ...Object.values(actual)]);
      release(stock, fused);
    });
  }

  it('uses the batch mean and biased variance of tf.moments', () => {
    const x = tf.randomNormal([4, 3, 5, 6], 3, 2, 'float32', 5);
    const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 6);
    const beta = tf.randomNormal([6], 0, 0.3, 'float32', 7);
    let seen: number[][] = [];
    const y = batchNormTraining(x, gamma, beta, EPSILON, (mean, variance) => {
      seen = [Array.from(mean.dataSync()), Array.from(variance.dataSync())];
    });
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    expect(seen).toEqual([Array.from(mean.dataSync()), Array.from(variance.dataSync())]);
    const expected = tf.batchNorm(x, mean, variance, beta, gamma, EPSILON);
    expect(y.dataSync()).toEqual(expected.dataSync());
    tf.dispose([x, gamma, beta, y, mean, variance, expected]);
  });

  it('updates the moving statistics in training mode outside a gradient tape as well', () => {
    const { stock, fused } = layerPair([8, 5], 21);
    const x = tf.randomNormal([8, 5], 1, 2, 'float32', 4);
    tf.dispose([
      stock.apply(x, { training: true }) as tf.Tensor,
      fused.apply(x, { training: true }) as tf.Tensor,
    ]);
    expect(fused.getWeights().map((w) => w.dataSync())).toEqual(stock.getWeights().map((w) => w.dataSync()));
    x.dispose();
    release(stock, fused);
  });

  it('leaves configurations satfarm does not build (channels first, no centre or scale) to tfjs-layers', () => {
    const shape = [3, 4, 5, 6];
    const x = tf.randomNormal(shape, 1, 2, 'float32', 8);
    const stock = tf.layers.batchNormalization({ momentum: 0.9, axis: 1 });
    const fused = batchNormalization({ momentum: 0.9, axis: 1 });
    stock.build(shape);
    fused.build(shape);
    const [ys, yf] = [stock, fused].map((l) => l.apply(x, { training: true }) as tf.Tensor);
    expect(yf!.dataSync()).toEqual(ys!.dataSync());
    expect(fused.getWeights().map((w) => w.dataSync())).toEqual(stock.getWeights().map((w) => w.dataSync()));
    tf.dispose([ys!, yf!]);
    release(stock, fused);
    // tfjs-layers 4.22 cannot train these (it reads the missing beta or gamma); neither can this layer.
    for (const args of [{ center: false }, { scale: false }]) {
      const layers = [tf.layers.batchNormalization(args), batchNormalization(args)];
      for (const layer of layers) {
        layer.build(shape);
        expect(() => layer.apply(x, { training: true })).toThrow(/read/);
      }
      release(...layers);
    }
    x.dispose();
  });
});

describe('TrainingBatchNormalization outside training', () => {
  it('infers with the moving statistics exactly as tfjs-layers, and moves nothing', () => {
    for (const shape of [
      [2, 5, 3, 7],
      [4, 9],
    ]) {
      const { stock, fused } = layerPair(shape, 31);
      const before = fused.getWeights().map((w) => Array.from(w.dataSync()));
      const x = tf.randomNormal(shape, 2, 3, 'float32', 9);
      for (const kwargs of [{ training: false }, {}]) {
        const [ys, yf] = [stock, fused].map((l) => l.apply(x, kwargs) as tf.Tensor);
        expect(yf!.dataSync()).toEqual(ys!.dataSync());
        tf.dispose([ys!, yf!]);
      }
      expect(fused.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
      x.dispose();
      release(stock, fused);
    }
  });
});

describe('TrainingBatchNormalization weights', () => {
  it("has tfjs-layers' weights, config and class name", () => {
    const { stock, fused } = layerPair([2, 3, 3, 5], 41);
    const describeWeights = (l: tf.layers.Layer) =>
      l.weights.map((w) => ({ name: w.originalName, shape: w.shape, trainable: w.trainable }));
    expect(describeWeights(fused)).toEqual(describeWeights(stock));
    expect(fused.weights.map((w) => w.originalName)).toEqual([
      'gamma',
      'beta',
      'moving_mean',
      'moving_variance',
    ]);
    expect(fused.getClassName()).toBe('BatchNormalization');
    expect(fused).toBeInstanceOf(stock.constructor);
    const { name: _a, ...fusedConfig } = fused.getConfig();
    const { name: _b, ...stockConfig } = stock.getConfig();
    expect(fusedConfig).toEqual(stockConfig);
    expect(fusedConfig).toMatchObject({ epsilon: EPSILON, momentum: 0.9 });
    release(stock, fused);
  });

  it('exchanges weights with the same model built from tfjs-layers batch norms, in both directions', async () => {
    const graph = describeArchitecture('simple-cnn', {
      resolution: 12,
      channels: 3,
      classes: 4,
      depth: 3,
      baseWidth: 4,
    });
    const { model } = buildModel(graph, { seed: 5 });
    // The saved topology names tfjs-layers' class, so it loads as the model before this layer existed.
    const stockModel = await tf.models.modelFromJSON({
      modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'],
    });
    const batchNorms = (m: tf.LayersModel) =>
      m.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    expect(batchNorms(model).length).toBeGreaterThan(0);
    expect(batchNorms(model).every((l) => l instanceof TrainingBatchNormalization)).toBe(true);
    expect(batchNorms(stockModel).some((l) => l instanceof TrainingBatchNormalization)).toBe(false);
    expect(stockModel.weights.map((w) => [w.originalName, w.shape])).toEqual(
      model.weights.map((w) => [w.originalName, w.shape]),
    );

    const x = tf.randomNormal([5, 12, 12, 3], 0, 1, 'float32', 12);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1], 'int32'), 4);
    // ours → tfjs-layers: the same inference outputs; then one training step on each.
    stockModel.setWeights(model.getWeights());
    const predict = (m: tf.LayersModel) => tf.tidy(() => (m.predict(x) as tf.Tensor[])[0]!.dataSync());
    expect(predict(stockModel)).toEqual(predict(model));
    const step = (m: tf.LayersModel) => {
      const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => {
        const logits = (m.apply(x, { training: true }) as tf.Tensor[])[0]!;
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, variables);
      return { loss: value, grads: variables.map((v) => grads[v.name]!) };
    };
    const ours = step(model);
    const theirs = step(stockModel);
    expect(relativeError(ours.loss, theirs.loss)).toBeLessThanOrEqual(TOLERANCE);
    ours.grads.forEach((g, i) => {
      expect(relativeError(g, theirs.grads[i]!)).toBeLessThanOrEqual(TOLERANCE);
    });
    // The training step moved the moving statistics alike.
    for (const [i, w] of model.getWeights().entries()) {
      expect(relativeError(w, stockModel.getWeights()[i]!)).toBeLessThanOrEqual(TOLERANCE);
    }
    // tfjs-layers → ours.
    const fresh = buildModel(graph, { seed: 6 }).model;
    fresh.setWeights(stockModel.getWeights());
    expect(predict(fresh)).toEqual(predict(stockModel));
    tf.dispose([x, labels, ours.loss, theirs.loss, ...ours.grads, ...theirs.grads]);
    for (const m of [model, stockModel, fresh]) m.dispose();
  });
});

describe('TrainingBatchNormalization memory', () => {
  it('keeps the tensor count across repeated training calls, with and without a tape', () => {
    const { fused } = layerPair([4, 3, 3, 6], 51);
    const x = tf.variable(tf.randomNormal([4, 3, 3, 6], 0, 1, 'float32', 13));
    const r = tf.randomNormal([4, 3, 3, 6], 0, 1, 'float32', 14);
    const once = () => {
      tf.dispose(Object.values(trainingStep(fused, x, r)));
      tf.dispose(fused.apply(x, { training: true }) as tf.Tensor);
      tf.tidy(() => {
        fused.apply(x, { training: true });
      });
      tf.dispose(fused.apply(x, { training: false }) as tf.Tensor);
    };
    once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, r]);
    release(fused);
  });
});
