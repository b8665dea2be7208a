import * as tf from '@tensorflow/tfjs';
import type { EpochResult, TrialConfig } from '@satfarm/contracts';
import { type Dataset, gatherBatch, normalize, shuffledIndices, syntheticDataset } from '@satfarm/data';
import { describeArchitecture } from '@satfarm/models';
import { buildModel } from '@satfarm/models/builder';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
import { smallTrialConfig } from './test-fixtures.ts';
import { trainTrial } from './train-trial.ts';
import type { TrainerCheckpoint } from './trainer-checkpoint.ts';

/**
 * The trainer's per-layer k and saturation, train and eval mode, against k computed here from the
 * layers' real activations: the same network rebuilt from its seed (or from the trainer's own
 * checkpoint), run over exactly the examples each mode's statistics saw, flattened here (conv: every
 * position of every example is a sample of the channels), with covariance and spectrum in float64
 * (two-pass covariance over all captured rows, cyclic Jacobi eigenvalues) — none of the tracker's code
 * (device moments, Chan merging, QL solver, k rule) is on this side.
 *
 * What each mode sees, per the trainer: train mode, the forward pass of every optimizer step of the
 * epoch (training: true, batch statistics in batch norm, the weights as they are *before* that step),
 * batches of `batchSize` in the order `shuffledIndices(count, seed, epoch)`; eval mode, the test split in
 * order after the epoch's last step (training: false, batch norm's moving statistics), in batches of
 * max(batchSize, 256). Both are reset after each epoch's read-out.
 */

const DELTA = 0.99;

/**
 * Synthetic patterns with a test split of two blocks: 256 examples of class 3, then 44 of class 0.
 * With frozen weights, train and eval mode differ only by their data and batch norm's statistics, and
 * on one distribution their k agree in every layer (tried on six seeds), so a swap of the two
 * read-outs would go unseen; a test split of other proportions has a spectrum of its own. And the
 * trainer's eval batches (256 each) are then exactly the two blocks, whose means differ: merging them
 * without the between-batch term of the covariance changes k.
 */
const dataset = withTestBlocks(
  syntheticDataset({ seed: 11, trainCount: 96, testCount: 1200, size: 12, classes: 4 }),
  [
    { label: 3, count: 256 },
    { label: 0, count: 44 },
  ],
);

function withTestBlocks(raw: Dataset, blocks: { label: number; count: number }[]): Dataset {
  const pixels = raw.height * raw.width * raw.channels;
  const keep = blocks.flatMap(({ label, count }) => {
    const of = [...raw.test.labels.keys()].filter((i) => raw.test.labels[i] === label);
    if (of.length < count) throw new Error(`only ${of.length} test examples of class ${label}`);
    return of.slice(0, count);
  });
  const images = new Float32Array(keep.length * pixels);
  keep.forEach((from, to) => {
    images.set(raw.test.images.subarray(from * pixels, (from + 1) * pixels), to * pixels);
  });
  const labels = Int32Array.from(keep, (i) => raw.test.labels[i]!);
  return normalize({ ...raw, test: { images, labels, count: keep.length } });
}

function config(training: Record<string, unknown>): TrialConfig {
  return smallTrialConfig({ resolution: 12, seed: 1, baseWidth: 12, training, saturation: { delta: DELTA } });
}

beforeAll(async () => {
  await selectBackend('wasm');
});

// ---------------------------------------------------------------------------------------------------
// The independent side: rows, covariance, eigenvalues and k in plain float64 code.

/** Every captured row of one layer (float32 as the device produced them), any number of batches. */
class Rows {
  private readonly chunks: Float32Array[] = [];
  width = -1;

  /** Conv (B,H,W,C): one row per (example, y, x), C columns; dense (B,C): one row per example. */
  add(output: tf.Tensor): void {
    const width = output.shape[output.shape.length - 1]!;
    if (output.rank !== 4 && output.rank !== 2) throw new Error(`unexpected rank ${output.rank}`);
    if (this.width >= 0 && this.width !== width) throw new Error(`width ${width} after ${this.width}`);
    this.width = width;
    // NHWC is row-major with the channel innermost: element (b, y, x, c) sits at row ((b·H + y)·W + x).
    this.chunks.push(Float32Array.from(output.dataSync()));
  }

  get count(): number {
    return this.chunks.reduce((n, c) => n + c.length / this.width, 0);
  }

  /** Covariance Σ (x − μ)(x − μ)ᵀ / n over all rows, two passes in float64. */
  covariance(): Float64Array {
    const d = this.width;
    const n = this.count;
    const mean = new Float64Array(d);
    for (const chunk of this.chunks) {
      for (let r = 0; r < chunk.length; r += d) for (let i = 0; i < d; i++) mean[i]! += chunk[r + i]!;
    }
    for (let i = 0; i < d; i++) mean[i]! /= n;
    const cov = new Float64Array(d * d);
    const centred = new Float64Array(d);
    for (const chunk of this.chunks) {
      for (let r = 0; r < chunk.length; r += d) {
        for (let i = 0; i < d; i++) centred[i] = chunk[r + i]! - mean[i]!;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j]! += centred[i]! * centred[j]!;
      }
    }
    for (let i = 0; i < d * d; i++) cov[i]! /= n;
    return cov;
  }
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, sorted descending. */
function jacobiEigenvalues(matrix: Float64Array, d: number): number[] {
  const a = Float64Array.from(matrix);
  const at = (i: number, j: number) => a[i * d + j]!;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i]! * a[i]!;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += at(p, q) ** 2;
    if (off <= scale * 1e-30) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = at(p, q);
        if (apq === 0) continue;
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J with J the rotation in the (p, q) plane: columns, then rows.
        for (let k = 0; k < d; k++) {
          const akp = at(k, p);
          const akq = at(k, q);
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = at(p, k);
          const aqk = at(q, k);
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: d }, (_, i) => at(i, i)).sort((x, y) => y - x);
}

interface IndependentK {
  k: number;
  width: number;
  samples: number;
  /** Fraction of the variance in the leading k − 1 and k eigenvalues: δ lies between them. */
  below: number;
  reached: number;
}

/** k = the smallest number of leading eigenvalues (negatives as 0) whose sum reaches δ of the total. */
function kOf(rows: Rows, delta: number): IndependentK {
  const values = jacobiEigenvalues(rows.covariance(), rows.width).map((v) => Math.max(0, v));
  const total = values.reduce((s, v) => s + v, 0);
  let cumulative = 0;
  let k = 0;
  let below = 0;
  while (cumulative < delta * total) {
    below = cumulative / total;
    cumulative += values[k]!;
    k++;
  }
  return { k, width: rows.width, samples: rows.count, below, reached: cumulative / total };
}

// ---------------------------------------------------------------------------------------------------
// Capturing the real activations.

type Built = ReturnType<typeof buildModel>;

function rebuild(cfg: TrialConfig, ds: Dataset, weights?: TrainerCheckpoint): Built {
  const graph = describeArchitecture(cfg.architecture, {
    resolution: cfg.resolution,
    channels: ds.channels,
    classes: ds.classes,
    widthMultiplier: cfg.widthMultiplier,
    depth: cfg.depth,
    kernelSize: cfg.kernelSize,
    baseWidth: cfg.baseWidth,
  });
  const built = buildModel(graph, { seed: cfg.seed });
  if (weights) {
    expect(weights.weights.map((w) => w.name)).toEqual(built.model.weights.map((w) => w.originalName));
    const tensors = weights.weights.map((w) => tf.tensor(w.data, w.shape, w.dtype));
    built.model.setWeights(tensors);
    tf.dispose(tensors);
  }
  return built;
}

/** Runs `model` over `indices` of a split in batches and keeps every tracked layer's output rows. */
function capture(
  model: tf.LayersModel,
  ds: Dataset,
  split: Dataset['train'],
  indices: Int32Array,
  batchSize: number,
  training: boolean,
): Rows[] {
  const pixels = ds.height * ds.width * ds.channels;
  let rows: Rows[] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const end = Math.min(indices.length, start + batchSize);
    const batch = gatherBatch(split, indices, start, end, pixels);
    tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [end - start, ds.height, ds.width, ds.channels]);
      const [, ...tracked] = model.apply(x, { training }) as tf.Tensor[];
      if (rows.length === 0) rows = tracked.map(() => new Rows());
      tracked.forEach((t, i) => {
        rows[i]!.add(t);
      });
    });
  }
  return rows;
}

/** Train mode of `epoch`: the training split in that epoch's shuffled order, in training batches. */
function trainModeRows(model: tf.LayersModel, cfg: TrialConfig, epoch: number): Rows[] {
  const order = shuffledIndices(dataset.train.count, cfg.seed, epoch);
  return capture(model, dataset, dataset.train, order, cfg.training.batchSize, true);
}

/** Eval mode: the test split in order, inference mode, the trainer's eval batch size. */
function evalModeRows(model: tf.LayersModel, cfg: TrialConfig): Rows[] {
  const order = Int32Array.from({ length: dataset.test.count }, (_, i) => i);
  return capture(model, dataset, dataset.test, order, Math.max(cfg.training.batchSize, 256), false);
}

/**
 * Compares one epoch's reported k and saturation of every tracked layer with the independent ones.
 * Also checks that δ is not so close to a cumulative fraction that float32 round-off in the tracker
 * could decide k (the comparison would then be meaningless, not wrong).
 */
function expectSameK(
  reported: EpochResult,
  independent: { train: IndependentK[]; eval: IndependentK[] },
  names: string[],
): void {
  expect(reported.layers.map((l) => l.name)).toEqual(names);
  for (const mode of ['train', 'eval'] as const) {
    independent[mode].forEach((mine, i) => {
      const layer = reported.layers[i]!;
      const where = `epoch ${reported.epoch}, layer ${layer.name}, ${mode} mode (${mine.samples} samples, ${(100 * mine.below).toFixed(4)} %…${(100 * mine.reached).toFixed(4)} % of the variance around δ)`;
      expect(
        Math.min(DELTA - mine.below, mine.reached - DELTA),
        `${where}: δ too close to call`,
      ).toBeGreaterThan(1e-5);
      expect(layer.width, where).toBe(mine.width);
      expect(layer[mode].k, where).toBe(mine.k);
      expect(layer[mode].saturation, where).toBe(mine.k / mine.width);
    });
  }
}

function ks(list: IndependentK[]): number[] {
  return list.map((l) => l.k);
}

function weightValues(checkpoint: TrainerCheckpoint, names: string[]): Float32Array[] {
  return names.map((n) => {
    const w = checkpoint.weights.find((s) => s.name === n);
    if (!w) throw new Error(`no weight ${n} in the checkpoint`);
    return Float32Array.from(w.data);
  });
}

describe('per-layer k and saturation from training, against the layers’ real activations', () => {
  it('a trained network frozen for an epoch of 12 train batches: every tracked layer, both modes', async () => {
    // Epoch 1 trains for real; epoch 2 resumes from its checkpoint with a learning rate that is 0 once
    // the optimizer holds it as a float32 scalar (the schema wants a positive number; Number.MIN_VALUE
    // is the smallest), so none of epoch 2's twelve steps moves a weight: every train batch's forward
    // pass ran with the epoch-1 checkpoint's weights (checked below), while batch norm's moving
    // statistics, which eval mode uses, keep moving.
    const learning = config({ epochs: 1, batchSize: 8, optimizer: 'sgd', learningRate: 0.05 });
    const frozen = config({ epochs: 2, batchSize: 8, optimizer: 'sgd', learningRate: Number.MIN_VALUE });
    const before = tf.memory().numTensors;
    const checkpoints: TrainerCheckpoint[] = [];
    const keep = async (_: EpochResult, capture: () => Promise<TrainerCheckpoint>) => {
      checkpoints.push(await capture());
    };
    await trainTrial({ config: learning, dataset, backend: 'wasm', onEpoch: keep });
    const { epochs } = await trainTrial({
      config: frozen,
      dataset,
      backend: 'wasm',
      resume: checkpoints[0],
      onEpoch: keep,
    });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const [afterEpoch1, afterEpoch2] = checkpoints;
    const start = rebuild(frozen, dataset, afterEpoch1);
    const end = rebuild(frozen, dataset, afterEpoch2);
    try {
      const trainable = start.model.trainableWeights.map((w) => w.originalName);
      expect(weightValues(afterEpoch2!, trainable)).toEqual(weightValues(afterEpoch1!, trainable));
      expect(weightValues(afterEpoch2!, ['conv2_bn/moving_mean'])).not.toEqual(
        weightValues(afterEpoch1!, ['conv2_bn/moving_mean']),
      );

      const train = trainModeRows(start.model, frozen, 2).map((r) => kOf(r, DELTA));
      const evalMode = evalModeRows(end.model, frozen).map((r) => kOf(r, DELTA));
      // 96 train examples → 12 batches of 8; 300 test examples → batches of 256 and 44.
      expect(dataset.test.count).toBe(300);
      expect(train[0]!.samples).toBe(96 * 12 * 12);
      expect(evalMode[0]!.samples).toBe(dataset.test.count * 12 * 12);
      expect(start.tracked.map((l) => l.kind)).toEqual(['conv', 'conv', 'conv', 'dense']);
      // Swapped modes must change what is reported: the independent numbers of some conv layer differ.
      expect(
        start.tracked.some((l, i) => l.kind === 'conv' && train[i]!.k !== evalMode[i]!.k),
        `train ${ks(train)} and eval ${ks(evalMode)} k must differ in a conv layer`,
      ).toBe(true);
      expectSameK(
        epochs[1]!,
        { train, eval: evalMode },
        start.tracked.map((l) => l.name),
      );
    } finally {
      start.model.dispose();
      end.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('moving weights, one step per epoch: epoch 2 is read from epoch 2’s activations only', async () => {
    // One batch per epoch: the step's forward pass runs with the weights the epoch started with, which
    // are the seed's for epoch 1 and the epoch-1 checkpoint's for epoch 2. A read-out that kept epoch 1's
    // statistics, or read them after the step, would not match.
    const cfg = config({ epochs: 2, batchSize: 96, optimizer: 'adam', learningRate: 0.05 });
    const checkpoints: TrainerCheckpoint[] = [];
    const { epochs } = await trainTrial({
      config: cfg,
      dataset,
      backend: 'wasm',
      onEpoch: async (_, capture) => {
        checkpoints.push(await capture());
      },
    });
    expect(epochs).toHaveLength(2);
    const models = [
      rebuild(cfg, dataset),
      rebuild(cfg, dataset, checkpoints[0]),
      rebuild(cfg, dataset, checkpoints[1]),
    ];
    try {
      const names = models[0]!.tracked.map((l) => l.name);
      const trainable = models[0]!.model.trainableWeights.map((w) => w.originalName);
      // The weights did move, so epoch 2's train-mode numbers are not epoch 1's by construction.
      expect(weightValues(checkpoints[0]!, trainable)).not.toEqual(weightValues(checkpoints[1]!, trainable));
      for (const epoch of [1, 2]) {
        const train = trainModeRows(models[epoch - 1]!.model, cfg, epoch).map((r) => kOf(r, DELTA));
        const evalMode = evalModeRows(models[epoch]!.model, cfg).map((r) => kOf(r, DELTA));
        expect(train[0]!.samples).toBe(96 * 12 * 12);
        expectSameK(epochs[epoch - 1]!, { train, eval: evalMode }, names);
      }
    } finally {
      for (const m of models) m.model.dispose();
    }
  });
});
