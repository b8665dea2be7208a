import {
  BACKENDS,
  BackendName,
  DATASETS,
  DEFAULT_DELTA,
  type EpochResult,
  type ProjectionTest,
  randomControl,
  TrialConfig,
} from '@satfarm/contracts';
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
  'projection.deltas': '--projection-deltas',
  'projection.fit': '--projection-fit',
  'projection.randomDraws': '--projection-draws',
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
  projectionFit?: string;
  projectionClassifier?: boolean;
  projectionPerLayer: boolean;
  projectionDraws?: number;
  projectionDeltas?: number[];
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
    .option('--delta <f>', 'share of variance the eigenspace keeps', numberFlag('--delta'), DEFAULT_DELTA)
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
      'after the last epoch: test accuracy with layers projected onto their eigenspaces (phd-lab: fitted on the training data, logits left alone), each alone and all together, against random subspaces',
    )
    .option(
      '--projection-fit <data>',
      'fit the eigenspaces on train (default) or test data; implies --projection',
    )
    .option('--projection-classifier', 'project the classifier output (the logits) too; implies --projection')
    .option('--no-projection-per-layer', 'project all layers together only, not each alone as well')
    .option(
      '--projection-draws <n>',
      'random control bases per δ and layer (default 5); implies --projection',
      integerFlag('--projection-draws'),
    )
    .option(
      '--projection-deltas <list>',
      'comma-separated δ values (default 0.9,0.95,0.99,0.999); implies --projection',
      deltaListFlag('--projection-deltas'),
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
    ...(projectionAsked(flags) ? { projection: projectionInput(flags) } : {}),
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
  const { architectureOptionsOf, describeArchitecture } = await import('@satfarm/models');
  const { selectBackend } = await import('@satfarm/backends');
  const { prepareDataset, trainTrial } = await import('@satfarm/training');
  // Fails before any data is loaded when the resolution is too small for the architecture.
  describeArchitecture(config.architecture, architectureOptionsOf(config));
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
    if (last.projectionTest) process.stdout.write(`\n${projectionTable(last, last.projectionTest)}\n`);
  }
}

function projectionAsked(flags: TrainFlags): boolean {
  return (
    flags.projection === true ||
    flags.projectionFit !== undefined ||
    flags.projectionClassifier === true ||
    flags.projectionDraws !== undefined ||
    flags.projectionDeltas !== undefined ||
    !flags.projectionPerLayer
  );
}

/** Only what was given: TrialConfig fills the phd-lab defaults. */
function projectionInput(flags: TrainFlags): Record<string, unknown> {
  return {
    ...(flags.projectionDeltas === undefined ? {} : { deltas: flags.projectionDeltas }),
    ...(flags.projectionFit === undefined ? {} : { fit: flags.projectionFit }),
    ...(flags.projectionClassifier ? { includeClassifier: true } : {}),
    ...(flags.projectionPerLayer ? {} : { perLayer: false }),
    ...(flags.projectionDraws === undefined ? {} : { randomDraws: flags.projectionDraws }),
  };
}

/** "0.9,0.99": each a number strictly between 0 and 1, each once, at most 16. */
function deltaListFlag(flag: string): (value: string) => number[] {
  const asNumber = numberFlag(flag);
  return (value: string) => {
    const deltas = value.split(',').map((part) => asNumber(part));
    for (const delta of deltas) {
      if (!(delta > 0 && delta < 1)) {
        throw new UsageError(
          `${flag}: got ${delta}; expected numbers strictly between 0 and 1, e.g. 0.9,0.99`,
        );
      }
    }
    if (new Set(deltas).size !== deltas.length || deltas.length > 16) {
      throw new UsageError(`${flag}: got ${JSON.stringify(value)}; expected at most 16 different values`);
    }
    return deltas;
  };
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

function projectionTable(r: EpochResult, test: ProjectionTest): string {
  const scopes = [null, ...test.layers.map((l) => l.name)];
  const rows = scopes.flatMap((scope) =>
    test.rows
      .filter((row) => row.layer === scope)
      .map((row) => {
        const control = randomControl(row.randomAccuracies);
        return [
          scope ?? 'all layers',
          row.delta,
          `${row.k} / ${row.width}`,
          percent(row.accuracy),
          points(row.accuracy - r.testAccuracy),
          `${percent(control.mean)}${control.std === null ? '' : ` ± ${(control.std * 100).toFixed(1)}`}`,
          `${percent(Math.min(...row.randomAccuracies))}–${percent(Math.max(...row.randomAccuracies))}`,
          points(control.mean - r.testAccuracy),
        ];
      }),
  );
  const draws = test.randomDraws === 1 ? 'one draw' : `mean ± std and range over ${test.randomDraws} draws`;
  return [
    `projection test: eigenspaces fitted on the ${test.fit === 'train' ? 'training' : 'test'} data, ` +
      `${test.includesClassifier ? 'the classifier projected too' : 'the classifier left alone'}; ` +
      `random control: ${draws} (${test.seconds.toFixed(1)} s)`,
    table(['projected', 'δ', 'k / width', 'eigenspace', 'Δ', 'random (same k)', 'range', 'Δ'], rows),
    `unprojected test accuracy ${percent(r.testAccuracy)}; Δ in points`,
  ].join('\n');
}

function points(change: number): string {
  return `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)}`;
}
