import * as tf from '@tensorflow/tfjs';
import { type EpochResult, ProjectionTest, randomControl, type TrialConfig } from '@satfarm/contracts';
import { type Dataset, normalize, syntheticDataset } from '@satfarm/data';
import { describeArchitecture } from '@satfarm/models';
import { buildModel } from '@satfarm/models/builder';
import { controlSeed, mulberry32, randomOrthonormalBasis, symmetricEigen } from '@satfarm/saturation';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
import { planWalk, scoreVariants } from './forward-with-projections.ts';
import { evaluateProjections, layersToProject } from './projection-eval.ts';
import { smallTrialConfig } from './test-fixtures.ts';
import { trainTrial } from './train-trial.ts';
import type { TrainerCheckpoint } from './trainer-checkpoint.ts';

/**
 * The projection test on trained networks. The test split holds three of the four classes only, so its
 * covariance differs from the training data's and a test fitted on the wrong split shows (in k).
 */
const dataset = onlyClasses(
  normalize(syntheticDataset({ seed: 4, trainCount: 512, testCount: 512, size: 16, classes: 4 })),
  [0, 1, 2],
);

function onlyClasses(raw: Dataset, classes: number[]): Dataset {
  const pixels = raw.height * raw.width * raw.channels;
  const keep = [...raw.test.labels.keys()].filter((i) => classes.includes(raw.test.labels[i]!));
  const images = new Float32Array(keep.length * pixels);
  keep.forEach((from, to) => {
    images.set(raw.test.images.subarray(from * pixels, (from + 1) * pixels), to * pixels);
  });
  return {
    ...raw,
    test: { images, labels: Int32Array.from(keep, (i) => raw.test.labels[i]!), count: keep.length },
  };
}

const SEED = 5;

function config(projection: Record<string, unknown>): TrialConfig {
  return smallTrialConfig({ seed: SEED, projection });
}

interface Trained {
  epochs: EpochResult[];
  last: EpochResult;
  test: ProjectionTest;
  checkpoint: TrainerCheckpoint;
}

async function train(projection: Record<string, unknown>): Promise<Trained> {
  let checkpoint: TrainerCheckpoint | undefined;
  const { epochs } = await trainTrial({
    config: config(projection),
    dataset,
    backend: 'wasm',
    onEpoch: async (result, capture) => {
      if (result.projectionTest) checkpoint = await capture();
    },
  });
  const last = epochs.at(-1)!;
  return { epochs, last, test: ProjectionTest.parse(last.projectionTest), checkpoint: checkpoint! };
}

let phdLab: Trained;
let testFitted: Trained;
let tensorsBefore: number;
let tensorsAfter: number;

beforeAll(async () => {
  await selectBackend('wasm');
  tensorsBefore = tf.memory().numTensors;
  phdLab = await train({});
  tensorsAfter = tf.memory().numTensors;
  // The same training (the projection test changes nothing before it), tested satfarm's first way.
  testFitted = await train({ fit: 'test', includeClassifier: true, perLayer: false, randomDraws: 1 });
}, 120_000); // two trainings with their projection tests: ~8 s here, more on a busy machine

const rowsAt = (t: ProjectionTest, delta: number) => t.rows.filter((r) => r.delta === delta);
const allLayers = (t: ProjectionTest, delta: number) => rowsAt(t, delta).find((r) => r.layer === null)!;

describe('the projection test, phd-lab way (the default)', () => {
  it('runs after the last epoch only and leaks no tensor', () => {
    expect(tensorsAfter).toBe(tensorsBefore);
    expect(phdLab.epochs[0]!.projectionTest).toBeUndefined();
    expect(phdLab.last.testAccuracy).toBeGreaterThan(0.8); // a trained network: chance is 1/3 here
    expect(phdLab.test).toMatchObject({ fit: 'train', includesClassifier: false, randomDraws: 5 });
  });

  it('projects every tracked layer but the classifier, alone and all together, at each δ', () => {
    const tracked = phdLab.last.layers;
    expect(tracked.at(-1)!.name).toBe('classifier');
    const projected = tracked.slice(0, -1);
    expect(phdLab.test.layers).toEqual(
      projected.map((l) => ({ name: l.name, index: l.index, width: l.width })),
    );
    const width = projected.reduce((a, l) => a + l.width, 0);
    for (const delta of [0.9, 0.95, 0.99, 0.999]) {
      const rows = rowsAt(phdLab.test, delta);
      expect(rows.map((r) => r.layer)).toEqual([null, ...projected.map((l) => l.name)]);
      expect(rows[0]!.width).toBe(width);
      expect(rows[0]!.k).toBe(rows.slice(1).reduce((a, r) => a + r.k, 0));
      for (const row of rows) expect(row.randomAccuracies).toHaveLength(5);
    }
    expect(phdLab.test.rows.some((r) => r.layer === 'classifier')).toBe(false);
  });

  it('fits each eigenspace on the training data: its k is the layer’s train-mode k', () => {
    // At the trial's own δ the projection's k per layer is the k the tracker read from the same
    // statistics. The test split differs from the training data, so train and eval k differ somewhere.
    const { layers } = phdLab.last;
    const perLayer = rowsAt(phdLab.test, 0.99).filter((r) => r.layer !== null);
    expect(perLayer.map((r) => r.k)).toEqual(layers.slice(0, -1).map((l) => l.train.k));
    expect(layers.some((l) => l.train.k !== l.eval.k)).toBe(true);
  });

  it('keeps accuracy with the eigenspace at δ = 0.9 far better than random subspaces of the same k', () => {
    const row = allLayers(phdLab.test, 0.9);
    expect(row.k).toBeLessThan(row.width);
    const control = randomControl(row.randomAccuracies);
    expect(row.accuracy).toBeGreaterThan(Math.max(...row.randomAccuracies));
    expect(row.accuracy - control.mean).toBeGreaterThan(0.15);
    expect(control.std).toBeGreaterThan(0); // five different bases, five different networks
    // And close to the unprojected accuracy once δ leaves little out.
    expect(Math.abs(allLayers(phdLab.test, 0.999).accuracy - phdLab.last.testAccuracy)).toBeLessThanOrEqual(
      0.03,
    );
  });
});

describe('the projection test, satfarm’s first way (fit on the test set, classifier included)', () => {
  it('fits on the test pass and projects the classifier too', () => {
    const { layers } = testFitted.last;
    expect(testFitted.test).toMatchObject({ fit: 'test', includesClassifier: true, randomDraws: 1 });
    expect(testFitted.test.layers.map((l) => l.name)).toEqual(layers.map((l) => l.name));
    expect(testFitted.test.rows.map((r) => r.layer)).toEqual([null, null, null, null]);
    // At the trial's δ, the summed k is the summed eval-mode k.
    expect(allLayers(testFitted.test, 0.99).k).toBe(layers.reduce((a, l) => a + l.eval.k, 0));
    expect(testFitted.last.testAccuracy).toBe(phdLab.last.testAccuracy);
  });
});

describe('the tail', () => {
  it('leaves the classifier out: a low-saturation classifier does not make a tail', async () => {
    // A test split of two examples: the logits' eval covariance has one direction (k = 1 of 10), while
    // every conv layer sees hundreds of positions. Counted, the classifier would be a tail.
    const twoExamples = normalize(
      syntheticDataset({ seed: 2, trainCount: 256, testCount: 2, size: 12, classes: 10 }),
    );
    const { epochs } = await trainTrial({
      config: smallTrialConfig({
        resolution: 12,
        seed: 1,
        training: { epochs: 1, batchSize: 32, learningRate: 0.01 },
      }),
      dataset: twoExamples,
      backend: 'wasm',
    });
    const { layers, tailLength } = epochs.at(-1)!;
    expect(layers.at(-1)!.name).toBe('classifier');
    const eval_ = layers.map((l) => l.eval.saturation);
    expect(tailByHand(eval_)).toBeGreaterThan(0); // counted, the classifier would be a tail
    expect(tailLength).toBe(tailByHand(eval_.slice(0, -1)));
  }, 60_000);
});

describe('one layer projected, against the same done by hand', () => {
  it('gives the accuracy of x ↦ μ + V_k V_kᵀ (x − μ) on conv3, then batch norm, ReLU, pooling and the classifier by hand', async () => {
    const graph = describeArchitecture('simple-cnn', {
      resolution: 16,
      channels: 1,
      classes: 4,
      depth: 3,
      baseWidth: 8,
    });
    const { model, tracked } = buildModel(graph, { seed: SEED });
    const weights = phdLab.checkpoint.weights.map((w) => tf.tensor(w.data, w.shape, w.dtype));
    model.setWeights(weights);
    tf.dispose(weights);
    const index = tracked.findIndex((l) => l.name === 'conv3');
    const conv3 = tracked[index]!;
    // Statistics by hand: conv3's raw output over the training split, in inference mode.
    const fitted = rawOutput(model, dataset.train, index);
    const statistics = meanAndCovariance(fitted.rows, conv3.width);
    // Low enough that the projection changes answers of this easy task (a no-op would pass otherwise).
    const delta = 0.5;
    const before = tf.memory().numTensors;
    const result = await evaluateProjections({
      model,
      layers: [{ spec: conv3, index, statistics }],
      dataset,
      config: { deltas: [delta], fit: 'train', includeClassifier: false, perLayer: true, randomDraws: 2 },
      kRule: 'textbook',
      seed: SEED,
      batchSize: 100,
    });
    expect(tf.memory().numTensors).toBe(before);
    const row = result.rows.find((r) => r.layer === 'conv3')!;

    const d = conv3.width;
    const { values, vectors } = symmetricEigen(statistics.covariance, d);
    const k = smallestKReaching(values, delta);
    expect(row.k).toBe(k);
    expect(k).toBeLessThan(d);
    const test = rawOutput(model, dataset.test, index);
    const eigenBasis = (i: number, c: number) => vectors[i * d + c]!;
    const projected = projectByHand(test.rows, d, statistics.mean, eigenBasis, k);
    const logits = logitsAfterConv3(model, projected, test.positions);
    const byHand = accuracyOf(logits, dataset.test.labels);
    const plain = accuracyOf(logitsAfterConv3(model, test.rows, test.positions), dataset.test.labels);
    // The projection changes answers, and exactly as by hand (one example of slack for a tie that
    // float32 and float64 break differently).
    const n = dataset.test.count;
    expect(Math.abs(plain - byHand) * n).toBeGreaterThanOrEqual(3);
    expect(Math.abs(row.accuracy - byHand) * n).toBeLessThanOrEqual(1);
    // The logits themselves, from the evaluator's forward pass with conv3 replaced by P = V_k V_kᵀ.
    const projector = new Float32Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        for (let c = 0; c < k; c++) projector[i * d + j]! += eigenBasis(i, c) * eigenBasis(j, c);
    const x = tf.tensor4d(dataset.test.images, [n, 16, 16, 1]);
    const conv3Projection = {
      mean: tf.tensor1d(Float32Array.from(statistics.mean)),
      matrix: tf.tensor2d(projector, [d, d]),
    };
    const scored = scoreVariants(planWalk(model), x, [new Map([['conv3', conv3Projection]])], (l) =>
      tf.clone(l),
    );
    expect(maxAbsoluteError(scored.variants[0]!.dataSync(), logits)).toBeLessThan(1e-3);
    tf.dispose([x, conv3Projection.mean, conv3Projection.matrix, scored.plain, ...scored.variants]);

    // The control's first draw: the first k columns of the seeded random orthonormal basis.
    const q = randomOrthonormalBasis(d, d, mulberry32(controlSeed(SEED, index, 0)));
    const random = projectByHand(test.rows, d, statistics.mean, (i, c) => q[i * d + c]!, k);
    const randomByHand = accuracyOf(logitsAfterConv3(model, random, test.positions), dataset.test.labels);
    expect(Math.abs(row.randomAccuracies[0]! - randomByHand) * n).toBeLessThanOrEqual(1);
    expect(byHand - randomByHand).toBeGreaterThan(0.05);
    model.dispose();
  });
});

describe('layersToProject', () => {
  const graph = describeArchitecture('resnet18', {
    resolution: 8,
    channels: 1,
    classes: 4,
    widthMultiplier: 1 / 16,
  });
  const tracked = graph.layers.filter((l) => l.tracked);
  const classifier = graph.layers.at(-1)!.name;

  it('leaves the classifier out unless asked, for every layer graph', () => {
    const without = layersToProject(tracked, classifier, false);
    expect(without.map((l) => l.spec.name)).toEqual(tracked.slice(0, -1).map((l) => l.name));
    expect(without.map((l) => l.index)).toEqual(tracked.slice(0, -1).map((_, i) => i));
    expect(layersToProject(tracked, classifier, true).map((l) => l.spec.name)).toEqual(
      tracked.map((l) => l.name),
    );
    expect(() => layersToProject(tracked, 'nope', false)).toThrow(/classifier "nope" is not a tracked layer/);
  });
});

// ---------------------------------------------------------------------------------------------------
// By hand: plain loops in float64, none of the evaluator's code.

/** Trailing values under half the median, counted by hand. */
function tailByHand(saturations: readonly number[]): number {
  const bar = 0.5 * median(saturations);
  let tail = 0;
  for (let i = saturations.length - 1; i >= 0 && saturations[i]! < bar; i--) tail++;
  return tail;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One tracked layer's raw output over a split (inference mode): rows of width d, `positions` per example. */
function rawOutput(
  model: tf.LayersModel,
  split: Dataset['test'],
  index: number,
): { rows: Float64Array; positions: number } {
  const x = tf.tensor4d(split.images, [split.count, 16, 16, 1]);
  const outputs = model.predict(x, { batchSize: 128 }) as tf.Tensor[];
  const out = outputs[1 + index]!;
  const positions = out.shape[1]! * out.shape[2]!;
  const rows = Float64Array.from(out.dataSync());
  tf.dispose([x, ...outputs]);
  return { rows, positions };
}

function meanAndCovariance(rows: Float64Array, d: number) {
  const n = rows.length / d;
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i]! += rows[r * d + i]! / n;
  const covariance = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        covariance[i * d + j]! += ((rows[r * d + i]! - mean[i]!) * (rows[r * d + j]! - mean[j]!)) / n;
      }
    }
  }
  return { mean, covariance, width: d };
}

function smallestKReaching(valuesDesc: Float64Array, delta: number): number {
  const total = valuesDesc.reduce((a, v) => a + Math.max(0, v), 0);
  let sum = 0;
  for (let k = 1; k <= valuesDesc.length; k++) {
    sum += Math.max(0, valuesDesc[k - 1]!);
    if (sum >= delta * total) return k;
  }
  return valuesDesc.length;
}

/** μ + Σ_{c<k} b_c (b_c · (x − μ)) for every row, b_c the c-th column of an orthonormal basis. */
function projectByHand(
  rows: Float64Array,
  d: number,
  mean: Float64Array,
  basis: (i: number, c: number) => number,
  k: number,
): Float64Array {
  const out = new Float64Array(rows.length);
  for (let r = 0; r < rows.length / d; r++) {
    const centred = Array.from({ length: d }, (_, i) => rows[r * d + i]! - mean[i]!);
    for (let i = 0; i < d; i++) out[r * d + i] = mean[i]!;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += basis(i, c) * centred[i]!;
      for (let i = 0; i < d; i++) out[r * d + i]! += basis(i, c) * dot;
    }
  }
  return out;
}

/** conv3's output through conv3_bn (inference), ReLU, global average pooling and the classifier. */
function logitsAfterConv3(model: tf.LayersModel, rows: Float64Array, positions: number): Float64Array {
  const [gamma, beta, movingMean, movingVariance] = model
    .getLayer('conv3_bn')
    .getWeights()
    .map((w) => w.dataSync());
  const epsilon = (model.getLayer('conv3_bn').getConfig() as { epsilon: number }).epsilon;
  const [kernel, bias] = model
    .getLayer('classifier')
    .getWeights()
    .map((w) => w.dataSync());
  const d = gamma!.length;
  const classes = bias!.length;
  const examples = rows.length / d / positions;
  const logits = new Float64Array(examples * classes);
  for (let n = 0; n < examples; n++) {
    const pooled = new Float64Array(d);
    for (let p = 0; p < positions; p++) {
      for (let c = 0; c < d; c++) {
        const x = rows[(n * positions + p) * d + c]!;
        const normalised =
          ((x - movingMean![c]!) / Math.sqrt(movingVariance![c]! + epsilon)) * gamma![c]! + beta![c]!;
        pooled[c]! += Math.max(0, normalised) / positions;
      }
    }
    for (let o = 0; o < classes; o++) {
      let logit = bias![o]!;
      for (let c = 0; c < d; c++) logit += pooled[c]! * kernel![c * classes + o]!;
      logits[n * classes + o] = logit;
    }
  }
  return logits;
}

function accuracyOf(logits: Float64Array, labels: Int32Array): number {
  const classes = logits.length / labels.length;
  let correct = 0;
  labels.forEach((label, n) => {
    const row = logits.subarray(n * classes, (n + 1) * classes);
    if (row.indexOf(Math.max(...row)) === label) correct++;
  });
  return correct / labels.length;
}

function maxAbsoluteError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst;
}
