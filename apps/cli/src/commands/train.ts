import { BACKENDS, BackendName, DATASETS, TrialConfig, type EpochResult } from '@satfarm/contracts';
import type { Command } from 'commander';
import type { SatfarmEnv } from '../env.ts';
import { describeIssues, UsageError, type FlagNames } from '../errors.ts';
import { bar, percent, printable, table } from '../format.ts';
import { integerFlag, numberFlag } from '../numbers.ts';
import { progressBar } from '../progress.ts';

const FLAGS: FlagNames = {
  architecture: '--arch',
  resolution: '--resolution',
  seed: '--seed',
  widthMultiplier: '--width-multiplier',
  depth: '--depth',
  kernelSize: '--kernel-size',
  baseWidth: '--base-width',
  'dataset.name': '--dataset',
  'dataset.trainLimit': '--limit',
  'dataset.testLimit': '--limit',
  'training.epochs': '--epochs',
  'training.batchSize': '--batch-size',
  'training.optimizer': '--optimizer',
  'training.learningRate': '--learning-rate',
  'saturation.delta': '--delta',
  'saturation.kRule': '--k-rule',
  'saturation.maxSamplesPerBatch': '--max-samples',
};

interface TrainFlags {
  arch: string;
  resolution: number;
  dataset: string;
  epochs: number;
  limit?: number;
  batchSize: number;
  seed: number;
  widthMultiplier: number;
  depth?: number;
  kernelSize?: number;
  baseWidth?: number;
  optimizer: string;
  learningRate: number;
  delta: number;
  kRule: string;
  maxSamples: number;
  backend: string;
  projection?: boolean;
  json?: boolean;
}

export function registerTrain(program: Command, env: () => SatfarmEnv): void {
  program
    .command('train')
    .description('train one network and print loss, accuracy and per-layer saturation every epoch')
    .requiredOption(
      '--arch <name>',
      'architecture (simple-cnn, vgg11, vgg13, vgg16, vgg19, resnet18, resnet34)',
    )
    .requiredOption('--resolution <px>', 'input resolution (square)', integerFlag('--resolution'))
    .option('--dataset <name>', `dataset (${DATASETS.join(', ')})`, 'fashion-mnist')
    .option('--epochs <n>', 'epochs', integerFlag('--epochs'), 2)
    .option('--limit <n>', 'use the first N examples of the train and test splits', integerFlag('--limit'))
    .option('--batch-size <n>', 'batch size', integerFlag('--batch-size'), 64)
    .option('--seed <n>', 'seed for weights and shuffling', integerFlag('--seed'), 1)
    .option('--width-multiplier <f>', 'scales every layer width', numberFlag('--width-multiplier'), 1)
    .option('--depth <n>', 'conv layers (simple-cnn)', integerFlag('--depth'))
    .option('--kernel-size <n>', 'conv kernel size (simple-cnn)', integerFlag('--kernel-size'))
    .option('--base-width <n>', 'first conv width (simple-cnn)', integerFlag('--base-width'))
    .option('--optimizer <name>', 'adam or sgd (momentum 0.9)', 'adam')
    .option('--learning-rate <f>', 'learning rate', numberFlag('--learning-rate'), 0.001)
    .option('--delta <f>', 'share of variance the eigenspace keeps', numberFlag('--delta'), 0.99)
    .option('--k-rule <rule>', 'textbook or delve', 'textbook')
    .option(
      '--max-samples <n>',
      'cap on spatial samples per conv layer per batch (0 = all)',
      integerFlag('--max-samples'),
      0,
    )
    .option('--backend <name>', `compute backend (${BACKENDS.join(', ')})`, 'auto')
    .option(
      '--projection',
      'after the last epoch: test accuracy with every layer projected onto its eigenspace',
    )
    .option('--json', 'one JSON object per epoch on stdout')
    .action(async (flags: TrainFlags) => {
      await train(flags, env());
    });
}

async function train(flags: TrainFlags, env: SatfarmEnv): Promise<void> {
  const input = {
    architecture: flags.arch,
    resolution: flags.resolution,
    seed: flags.seed,
    widthMultiplier: flags.widthMultiplier,
    depth: flags.depth,
    kernelSize: flags.kernelSize,
    baseWidth: flags.baseWidth,
    dataset: { name: flags.dataset, trainLimit: flags.limit, testLimit: flags.limit },
    training: {
      epochs: flags.epochs,
      batchSize: flags.batchSize,
      optimizer: flags.optimizer,
      learningRate: flags.learningRate,
    },
    saturation: { delta: flags.delta, kRule: flags.kRule, maxSamplesPerBatch: flags.maxSamples },
    ...(flags.projection ? { projection: {} } : {}),
  };
  const parsed = TrialConfig.safeParse(input);
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error, input, FLAGS));
  const backendChoice = BackendName.safeParse(flags.backend);
  if (!backendChoice.success) {
    throw new UsageError(
      `--backend: got ${JSON.stringify(flags.backend)}; expected one of ${BACKENDS.join(', ')}`,
    );
  }
  const config = parsed.data;
  // Loaded on demand: tfjs takes a moment to import and most commands never need it.
  const { describeArchitecture } = await import('@satfarm/models');
  const { prepareDataset, selectBackend, trainTrial } = await import('@satfarm/training');
  // Fails before any data is loaded when the resolution is too small for the architecture.
  describeArchitecture(config.architecture, {
    resolution: config.resolution,
    channels: 1,
    classes: 10,
    widthMultiplier: config.widthMultiplier,
    depth: config.depth,
    kernelSize: config.kernelSize,
    baseWidth: config.baseWidth,
  });
  const backend = await selectBackend(backendChoice.data);
  const dataset = await prepareDataset(config.dataset, config.resolution, config.seed, {
    fashionMnistDir: env.fashionMnistDir,
    cifar10Dir: env.cifar10Dir,
  });
  const json = flags.json === true;
  if (!json) {
    process.stderr.write(
      `training ${config.architecture} at ${config.resolution} px on ${dataset.name} ` +
        `(${dataset.train.count} train / ${dataset.test.count} test) with ${printable(backend.device)}\n`,
    );
  }
  const progress = progressBar(!json, ' epoch {epoch} {phase} [{bar}] {value}/{total} batches');
  let last: EpochResult | undefined;
  try {
    await trainTrial({
      config,
      dataset,
      backend: backend.name,
      onBatch: (p) => {
        if (p.batch === 1) progress.start(p.batches, { epoch: p.epoch, phase: p.phase });
        progress.update(p.batch, { epoch: p.epoch, phase: p.phase });
      },
      onEpoch: (result) => {
        progress.stop();
        last = result;
        if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(`${epochLine(result)}\n`);
      },
    });
  } finally {
    progress.stop();
  }
  if (!json && last) {
    process.stdout.write(`\n${layerTable(last)}\n`);
    if (last.projection) process.stdout.write(`\n${projectionTable(last)}\n`);
  }
}

function epochLine(r: EpochResult): string {
  return (
    `epoch ${r.epoch}  loss ${r.trainLoss.toFixed(4)}  train ${percent(r.trainAccuracy)}  ` +
    `test ${percent(r.testAccuracy)}  ${r.seconds.toFixed(1)} s`
  );
}

function layerTable(r: EpochResult): string {
  return table(
    ['layer', 'kind', 'width', 'rf', 'k (eval)', 'saturation (eval)', '', 'train'],
    r.layers.map((l) => [
      l.name + (l.unproductive ? ' *' : ''),
      l.kind,
      l.width,
      l.receptiveField,
      l.eval.k,
      percent(l.eval.saturation),
      bar(l.eval.saturation),
      percent(l.train.saturation),
    ]),
  ).concat('\n* receptive field ≥ input resolution: predicted unproductive');
}

function projectionTable(r: EpochResult): string {
  return table(
    ['δ', 'k / width', 'accuracy (eigenspace)', 'accuracy (random, same k)'],
    (r.projection ?? []).map((p) => [
      p.delta,
      `${p.k} / ${p.width}`,
      percent(p.accuracy),
      percent(p.randomAccuracy),
    ]),
  ).concat(`\nunprojected test accuracy ${percent(r.testAccuracy)}`);
}
