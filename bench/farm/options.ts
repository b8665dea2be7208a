import { parseArgs } from 'node:util';
import { type EnvironmentSource, parseEnvironment } from '@satfarm/contracts';
import { DEFAULT_DATABASE_URL } from '@satfarm/db';
import { DEFAULT_REDIS_URL } from '@satfarm/queue';

/** Everything `npm run bench:farm` takes, normalised once. */
export interface FarmBenchOptions {
  json: boolean;
  /** Trials in each measured sweep (after a warm-up sweep on the same worker processes). */
  trials: number;
  /** Worker processes (`apps/worker/src/main.ts`), each with `concurrency` sandboxed children. */
  workers: number;
  /** One variant per value, measured side by side (interleaved when rounds > 1). */
  concurrency: number[];
  /** Workers start their trainer processes before taking trials (`both`: a variant each way). */
  prewarm: boolean[];
  /** The aggregator's flushMs, one variant each (null: its default). */
  flushMs: (number | null)[];
  rounds: number;
  /** Epochs per trial (each epoch trains one batch of `batchSize` samples). */
  epochs: number;
  /** Conv layers of the tiny simple-cnn: tracked layers = depth + 1, layer rows = 2 per layer and epoch. */
  depth: number;
  dataset: 'synthetic' | 'fashion-mnist';
  /** Trials × epochs of pre-built events for the ingest measurement; 0 skips it. */
  ingestTrials: number;
  ingestEpochs: number;
  ingestLayers: number;
  /**
   * Another checkout of satfarm (with its node_modules): its worker processes run as extra variants,
   * side by side with this tree's, for before/after figures. The aggregator is always this tree's.
   */
  baselineRoot: string | undefined;
  /** Worker processes (and their sandboxed children) write V8 CPU profiles here (`--cpu-prof`). */
  cpuProfileDir: string | undefined;
  /** A sweep that takes longer than this fails the bench (it never hangs). */
  sweepTimeoutSeconds: number;
  redisUrl: string;
  databaseUrl: string;
  fashionMnistDir: string;
}

export class FarmBenchUsageError extends Error {
  override readonly name = 'FarmBenchUsageError';
}

function whole(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new FarmBenchUsageError(`--${flag}: got '${text}', expected a whole number from ${min} to ${max}`);
  }
  return n;
}

export function parseFarmBenchArgs(argv: readonly string[], source: EnvironmentSource): FarmBenchOptions {
  const env = parseEnvironment(source);
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      trials: { type: 'string' },
      workers: { type: 'string' },
      concurrency: { type: 'string' },
      prewarm: { type: 'string' },
      'flush-ms': { type: 'string' },
      rounds: { type: 'string' },
      epochs: { type: 'string' },
      depth: { type: 'string' },
      dataset: { type: 'string' },
      'ingest-trials': { type: 'string' },
      'ingest-epochs': { type: 'string' },
      'ingest-layers': { type: 'string' },
      'sweep-timeout-s': { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      'baseline-root': { type: 'string' },
    },
    strict: true,
  });
  const concurrency = (values.concurrency ?? '1,2').split(',').map((c) => whole('concurrency', c, 1, 1, 16));
  const prewarm = { on: [true], off: [false], both: [true, false] }[values.prewarm ?? 'on'];
  if (prewarm === undefined) {
    throw new FarmBenchUsageError(`--prewarm: got '${values.prewarm}', expected on, off or both`);
  }
  const dataset = values.dataset ?? 'synthetic';
  if (dataset !== 'synthetic' && dataset !== 'fashion-mnist') {
    throw new FarmBenchUsageError(`--dataset: got '${dataset}', expected synthetic or fashion-mnist`);
  }
  return {
    json: values.json === true,
    trials: whole('trials', values.trials, 300, 0, 1000),
    workers: whole('workers', values.workers, 2, 1, 16),
    concurrency: [...new Set(concurrency)],
    prewarm,
    flushMs:
      values['flush-ms'] === undefined
        ? [null]
        : [...new Set(values['flush-ms'].split(',').map((f) => whole('flush-ms', f, 25, 1, 10_000)))],
    rounds: whole('rounds', values.rounds, 1, 1, 20),
    epochs: whole('epochs', values.epochs, 1, 1, 100),
    depth: whole('depth', values.depth, 2, 1, 32),
    dataset,
    ingestTrials: whole('ingest-trials', values['ingest-trials'], 1000, 0, 1000),
    ingestEpochs: whole('ingest-epochs', values['ingest-epochs'], 4, 1, 100),
    ingestLayers: whole('ingest-layers', values['ingest-layers'], 16, 1, 200),
    cpuProfileDir: values['cpu-prof-dir'],
    baselineRoot: values['baseline-root'],
    sweepTimeoutSeconds: whole('sweep-timeout-s', values['sweep-timeout-s'], 180, 1, 3600),
    redisUrl: env.REDIS_URL ?? DEFAULT_REDIS_URL,
    databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    fashionMnistDir: env.FASHION_MNIST_DIR,
  };
}
