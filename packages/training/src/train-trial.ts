import * as tf from '@tensorflow/tfjs';
import type {
  EpochResult,
  LayerEpochResult,
  ProjectionConfig,
  ProjectionTest,
  TrialConfig,
} from '@satfarm/contracts';
import type { Dataset } from '@satfarm/data';
import { gatherBatch, shuffledIndices } from '@satfarm/data';
import {
  analyzeReceptiveFields,
  architectureOptionsOf,
  describeArchitecture,
  type LayerSpec,
} from '@satfarm/models';
import { buildModel } from '@satfarm/models/builder';
import { networkTailLength } from '@satfarm/saturation';
import type { DeviceMoments } from './batch-moments.ts';
import { type BatchReadback, readBatch } from './batch-readback.ts';
import { holdDeviceConstants } from './device-constants.ts';
import { registerDeviceGradients } from './device-gradients.ts';
import { TrialDivergedError } from './errors.ts';
import { createOptimizer, disposeOptimizer } from './optimizer.ts';
import { settleEachBatch } from './one-batch-behind.ts';
import { evaluateProjections, layersToProject } from './projection-eval.ts';
import { SaturationTracker, type LayerSaturation } from './saturation-tracker.ts';
import { captureCheckpoint, restoreCheckpoint, type TrainerCheckpoint } from './trainer-checkpoint.ts';

export interface BatchProgress {
  epoch: number;
  /** `projection`: the projection test after the last epoch (its batches over every δ). */
  phase: 'train' | 'eval' | 'projection';
  /** The batch whose numbers just arrived (1-based). */
  batch: number;
  batches: number;
  /** Batches of this phase queued on the device so far: `batch + 1` while reads lag a batch behind. */
  queued: number;
}

export interface TrainTrialOptions {
  config: TrialConfig;
  /** Already resized to `config.resolution` and normalised (see `prepareDataset`). */
  dataset: Dataset;
  /** Name of the active tfjs backend, reported with every epoch. */
  backend: string;
  /** Continue after the checkpoint's epoch instead of starting from scratch. */
  resume?: TrainerCheckpoint | undefined;
  /** Called after every epoch; `checkpoint()` captures the state to continue from. */
  onEpoch?:
    | ((result: EpochResult, checkpoint: () => Promise<TrainerCheckpoint>) => Promise<void> | void)
    | undefined;
  onBatch?: ((progress: BatchProgress) => void) | undefined;
  /** Polled between batches: true stops after the current epoch's checkpoint point (returns early). */
  shouldStop?: (() => boolean) | undefined;
  /** Track saturation (default true); off only to measure what tracking costs. */
  tracking?: boolean | undefined;
}

export interface TrainTrialResult {
  epochs: EpochResult[];
  /** False when `shouldStop` ended the run before the last epoch. */
  finished: boolean;
}

interface PassTotals {
  loss: number;
  correct: number;
  count: number;
}

/** What every pass of one trial works with: built once in `trainTrial`, handed to each epoch's passes. */
interface TrialContext {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** The model's trainable variables, in the order the optimizer steps them. */
  variables: tf.Variable[];
  tracked: readonly LayerSpec[];
  /** The classifier layer's name (the network's answer, left out of the tail and the projection test). */
  classifier: string;
  tracker: SaturationTracker;
  dataset: Dataset;
  config: TrialConfig;
  onBatch: TrainTrialOptions['onBatch'];
}

/**
 * Trains one trial. One forward pass per batch feeds both the loss and the covariance tracking of every
 * tracked layer (train mode); a test pass in inference mode feeds the eval statistics. k and saturation
 * are read out per layer and mode after every epoch.
 */
export async function trainTrial(options: TrainTrialOptions): Promise<TrainTrialResult> {
  const { config, dataset } = options;
  // The network takes the loaded dataset's layout (a test may hand in any synthetic one).
  const graph = describeArchitecture(config.architecture, architectureOptionsOf(config, dataset));
  if (dataset.height !== config.resolution || dataset.width !== config.resolution) {
    throw new Error(
      `dataset is ${dataset.height}×${dataset.width} but the trial's resolution is ${config.resolution}; resize it first`,
    );
  }
  registerDeviceGradients();
  const receptive = new Map(analyzeReceptiveFields(graph).map((r) => [r.name, r]));
  // The classifier's output is the answer, not a representation: the tail and (by default) the
  // projection test leave it out.
  const classifier = graph.layers.at(-1)!.name;
  const built = buildModel(graph, { seed: config.seed });
  const { model, tracked } = built;
  const optimizer = createOptimizer(config.training);
  const tracker = new SaturationTracker(
    tracked.map((l) => l.width),
    config.saturation.maxSamplesPerBatch,
    options.tracking ?? true,
  );
  const history: EpochResult[] = [];
  const releaseConstants = holdDeviceConstants();
  try {
    const trial: TrialContext = {
      model,
      optimizer,
      variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
      tracked,
      classifier,
      tracker,
      dataset,
      config,
      onBatch: options.onBatch,
    };
    let startEpoch = 1;
    if (options.resume) {
      await restoreCheckpoint(model, optimizer, options.resume);
      history.push(...options.resume.history);
      startEpoch = options.resume.epoch + 1;
    }
    for (let epoch = startEpoch; epoch <= config.training.epochs; epoch++) {
      const started = performance.now();
      const train = await trainEpoch(trial, epoch);
      const test = await evaluate(trial, epoch);
      const seconds = (performance.now() - started) / 1000;
      const delta = config.saturation.delta;
      // The projection test reads this epoch's statistics, so it runs before the read-out resets them.
      const projectionTest =
        config.projection && epoch === config.training.epochs && options.tracking !== false
          ? await runProjectionTest(trial, config.projection, epoch)
          : undefined;
      const layers = layerResults(
        tracked,
        receptive,
        tracker.readout('train', delta, config.saturation.kRule),
        tracker.readout('eval', delta, config.saturation.kRule),
      );
      const result: EpochResult = {
        epoch,
        trainLoss: train.loss / train.count,
        trainAccuracy: train.correct / train.count,
        testLoss: test.loss / test.count,
        testAccuracy: test.correct / test.count,
        seconds,
        backend: options.backend,
        layers,
        tailLength: networkTailLength(
          layers.map((l) => ({ name: l.name, saturation: l.eval.saturation })),
          classifier,
        ),
        ...(projectionTest ? { projectionTest } : {}),
      };
      history.push(result);
      await options.onEpoch?.(result, () => captureCheckpoint(model, optimizer, epoch, history));
      if (options.shouldStop?.() && epoch < config.training.epochs)
        return { epochs: history, finished: false };
    }
    return { epochs: history, finished: true };
  } finally {
    disposeOptimizer(optimizer);
    model.dispose();
    releaseConstants();
  }
}

/**
 * The projection test of the last epoch, fitted as configured: `train` reads the covariance tracked over
 * this epoch's training batches (as phd-lab's PCA layers collect theirs), `test` the test pass's.
 */
function runProjectionTest(
  trial: TrialContext,
  projection: ProjectionConfig,
  epoch: number,
): Promise<ProjectionTest> {
  const { model, tracked, classifier, tracker, dataset, config } = trial;
  const mode = projection.fit === 'train' ? 'train' : 'eval';
  return evaluateProjections({
    model,
    layers: layersToProject(tracked, classifier, projection.includeClassifier).map(({ spec, index }) => ({
      spec,
      index,
      statistics: tracker.statistics(mode, index),
    })),
    dataset,
    config: projection,
    kRule: config.saturation.kRule,
    seed: config.seed,
    batchSize: inferenceBatchSize(config),
    onBatch: (done, total) =>
      trial.onBatch?.({ epoch, phase: 'projection', batch: done, batches: total, queued: done }),
  });
}

function layerResults(
  tracked: readonly LayerSpec[],
  receptive: Map<string, { receptiveField: number; unproductive: boolean }>,
  train: LayerSaturation[],
  evalMode: LayerSaturation[],
): LayerEpochResult[] {
  return tracked.map((layer, index) => {
    const rf = receptive.get(layer.name);
    return {
      name: layer.name,
      index,
      kind: layer.kind,
      width: layer.width,
      receptiveField: rf?.receptiveField ?? 1,
      unproductive: rf?.unproductive ?? false,
      train: train[index]!,
      eval: evalMode[index]!,
    };
  });
}

function asList(out: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(out) ? out : [out];
}

/** One batch of a pass: its position (0-based) and the samples [start, end) of the split it covers. */
interface BatchSlice {
  index: number;
  start: number;
  end: number;
}

/**
 * Runs one pass over `count` samples in batches of `batchSize`: `queue` starts a batch on the device and
 * returns the promise that settles it (read back, checked, counted), one batch behind where reads lag.
 * Each settled batch is reported to `onBatch` with how many batches were queued by then.
 */
async function forEachBatch(
  trial: TrialContext,
  epoch: number,
  phase: 'train' | 'eval',
  count: number,
  batchSize: number,
  queue: (slice: BatchSlice) => Promise<void>,
): Promise<void> {
  const batches = Math.ceil(count / batchSize);
  let queued = 0;
  await settleEachBatch(batches, readsLagBehind(), (b) => {
    const start = b * batchSize;
    const end = Math.min(count, start + batchSize);
    queued = b + 1;
    return queue({ index: b, start, end }).then(() =>
      trial.onBatch?.({ epoch, phase, batch: b + 1, batches, queued }),
    );
  });
}

async function trainEpoch(trial: TrialContext, epoch: number): Promise<PassTotals> {
  const { config, tracker } = trial;
  const split = trial.dataset.train;
  const order = shuffledIndices(split.count, config.seed, epoch);
  const totals: PassTotals = { loss: 0, correct: 0, count: 0 };
  await forEachBatch(trial, epoch, 'train', split.count, config.training.batchSize, ({ index, start, end }) =>
    trainStep(trial, order, start, end).then(({ scalars: [loss, correct], moments }) => {
      if (!Number.isFinite(loss)) throw new TrialDivergedError(epoch, index + 1, `loss became ${loss}`);
      const bad = tracker.merge('train', moments);
      if (bad >= 0)
        throw new TrialDivergedError(epoch, index + 1, `activations of layer ${bad + 1} overflowed`);
      const n = end - start;
      totals.loss += loss! * n;
      totals.correct += correct!;
      totals.count += n;
    }),
  );
  return totals;
}

/**
 * Queues one optimizer step on the device and starts reading back its loss, correct count and the
 * tracked layers' moments (one transfer); the host-side numbers come later, through the promise.
 */
function trainStep(
  trial: TrialContext,
  order: Int32Array,
  start: number,
  end: number,
): Promise<BatchReadback> {
  const { model, optimizer, variables, tracker, dataset } = trial;
  const pixels = dataset.height * dataset.width * dataset.channels;
  const batch = gatherBatch(dataset.train, order, start, end, pixels);
  const x = tf.tensor4d(batch.images, [end - start, dataset.height, dataset.width, dataset.channels]);
  const y = tf.tensor1d(batch.labels, 'int32');
  let correct: tf.Tensor | undefined;
  let outputs: tf.Tensor[] = [];
  let loss: tf.Scalar | null = null;
  try {
    loss = optimizer.minimize(
      () => {
        const [logits, ...tracked] = asList(model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[]);
        // The tracked outputs of this forward pass are kept past minimize's scope: their moments are
        // computed after the step, outside the gradient tape, which would otherwise record (and hold
        // on to) every op of the statistics for a backward pass that never uses them.
        outputs = tracker.enabled ? tracked.map((t) => tf.keep(t)) : [];
        correct = tf.keep(correctCount(logits!, y));
        return tf.losses.softmaxCrossEntropy(tf.oneHot(y, dataset.classes), logits!) as tf.Scalar;
      },
      true,
      variables,
    );
    const moments = tracker.momentsOf(outputs);
    // readBatch owns (and disposes) these from here on.
    const scalars = [loss!, correct!];
    loss = null;
    correct = undefined;
    return readBatch(scalars, moments);
  } finally {
    tf.dispose(outputs);
    tf.dispose([x, y]);
    if (loss) loss.dispose();
    if (correct) correct.dispose();
  }
}

async function evaluate(trial: TrialContext, epoch: number): Promise<PassTotals> {
  const { model, tracker, dataset, config } = trial;
  const split = dataset.test;
  const pixels = dataset.height * dataset.width * dataset.channels;
  const order = Int32Array.from({ length: split.count }, (_, i) => i);
  const totals: PassTotals = { loss: 0, correct: 0, count: 0 };
  await forEachBatch(
    trial,
    epoch,
    'eval',
    split.count,
    inferenceBatchSize(config),
    ({ index, start, end }) => {
      const n = end - start;
      const batch = gatherBatch(split, order, start, end, pixels);
      // tidy keeps what it returns (numbers inside are fine) and frees every other intermediate.
      const out = tf.tidy(() => {
        const x = tf.tensor4d(batch.images, [n, dataset.height, dataset.width, dataset.channels]);
        const y = tf.tensor1d(batch.labels, 'int32');
        const [logits, ...outputs] = asList(model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[]);
        const lossSum = tf.mul(tf.losses.softmaxCrossEntropy(tf.oneHot(y, dataset.classes), logits!), n);
        return { lossSum, correct: correctCount(logits!, y), moments: tracker.momentsOf(outputs) } as never;
      }) as { lossSum: tf.Tensor; correct: tf.Tensor; moments: DeviceMoments[] };
      return readBatch([out.lossSum, out.correct], out.moments).then(
        ({ scalars: [lossSum, correct], moments }) => {
          totals.loss += lossSum!;
          totals.correct += correct!;
          totals.count += n;
          const bad = tracker.merge('eval', moments);
          if (bad >= 0)
            throw new TrialDivergedError(
              epoch,
              index + 1,
              `test-pass activations of layer ${bad + 1} overflowed`,
            );
          if (!Number.isFinite(totals.loss))
            throw new TrialDivergedError(epoch, index + 1, 'test loss is not finite');
        },
      );
    },
  );
  return totals;
}

/** Inference keeps no activations for a backward pass: larger batches are cheaper and change nothing. */
function inferenceBatchSize(config: TrialConfig): number {
  return Math.max(config.training.batchSize, 256);
}

/** Only webgpu computes asynchronously: the others finish a step before its read is even asked for. */
function readsLagBehind(): boolean {
  return tf.getBackend() === 'webgpu';
}

function correctCount(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32'));
}
