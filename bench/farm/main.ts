/**
 * The farm's own overhead, end to end: trials that train almost nothing (one batch of 8 samples at
 * 8 px per epoch) go enqueue → worker processes (sandboxed children) → results queue → aggregator →
 * PostgreSQL, on a database and BullMQ prefix of their own that are removed at the end.
 *
 *   npm run bench:farm -- [--json] [--trials 300] [--workers 2] [--concurrency 1,2] [--rounds 1]
 *     [--prewarm on|off|both] [--flush-ms 25,100] [--baseline-root OTHER_CHECKOUT]
 *     [--epochs 1] [--depth 2] [--dataset synthetic|fashion-mnist]
 *     [--ingest-trials 1000] [--ingest-epochs 4] [--ingest-layers 16] [--cpu-prof-dir DIR]
 *
 * Variants (each concurrency × prewarm × aggregator flush delay, and the same with the worker processes
 * of a baseline checkout) are measured side by side in one run, interleaved round by round, each on
 * freshly started worker processes. `--trials 0` skips them. The ingest part pushes pre-built result
 * events through the results queue and a freshly started aggregator, and, for comparison, straight
 * into `ingestEvents`.
 */
import { cpus, loadavg } from 'node:os';
import { type EndToEndResult, measureEndToEnd } from './end-to-end.ts';
import { startFarmRig } from './farm-rig.ts';
import { type IngestResult, measureIngest } from './ingest.ts';
import { FarmBenchUsageError, parseFarmBenchArgs } from './options.ts';
import { summarize } from './summary.ts';
import { variantLabel, variantsOf } from './variants.ts';

let options: ReturnType<typeof parseFarmBenchArgs>;
try {
  options = parseFarmBenchArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof FarmBenchUsageError || (error as Error).name === 'TypeError')) throw error;
  process.stderr.write(`bench:farm: ${(error as Error).message}\n`);
  process.exit(2);
}
const o = options;
const log = (line: string) => {
  if (!o.json) process.stderr.write(`${line}\n`);
};

// The machine may be shared: say how busy it was when the bench began.
const loadAvg = loadavg().map((x) => Number(x.toFixed(2)));
const rig = await startFarmRig({ redisUrl: o.redisUrl, databaseUrl: o.databaseUrl });
// Ctrl-C still removes the database, the queues and the worker processes (each `finally` below runs).
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  process.stderr.write('bench:farm: interrupted; cleaning up\n');
  rig.abort('interrupted');
});

const runs: EndToEndResult[] = [];
let ingest: IngestResult | undefined;
try {
  // --trials 0 measures the ingest alone.
  for (let round = 1; round <= o.rounds && o.trials > 0 && !interrupted; round++) {
    // Alternate the order so drift in machine load does not favour one variant.
    const order = round % 2 === 1 ? variantsOf(o) : variantsOf(o).reverse();
    for (const variant of order) {
      if (interrupted) break;
      const run = await measureEndToEnd(rig, {
        ...variant,
        workers: o.workers,
        trials: o.trials,
        epochs: o.epochs,
        depth: o.depth,
        dataset: o.dataset,
        fashionMnistDir: o.fashionMnistDir,
        cpuProfileDir: o.cpuProfileDir,
        baselineRoot: o.baselineRoot,
        sweepTimeoutSeconds: o.sweepTimeoutSeconds,
        label: `r${round}${variant.tree[0]}c${variant.concurrency}${variant.prewarm ? '' : 'cold'}f${variant.flushMs ?? 'd'}`,
      });
      runs.push(run);
      log(
        `round ${round}/${o.rounds}, ${o.workers} workers, ${variantLabel(variant)}: ` +
          `${run.measured.trialsPerSecond.toFixed(1)} trials/s, ${run.measured.rowsPerSecond.toFixed(0)} layer rows/s ` +
          `(${run.measured.trials} trials in ${run.measured.seconds.toFixed(2)} s; warm-up ` +
          `${run.warmup.trials} trials in ${run.warmup.seconds.toFixed(2)} s)`,
      );
    }
  }
  if (o.ingestTrials > 0 && !interrupted) {
    ingest = await measureIngest(rig, {
      trials: o.ingestTrials,
      epochs: o.ingestEpochs,
      layers: o.ingestLayers,
      rounds: o.rounds,
      timeoutSeconds: o.sweepTimeoutSeconds,
      baselineRoot: o.baselineRoot,
    });
    log(
      `ingest: ${ingest.throughQueue.layerRowsPerSecond.toFixed(0)} layer rows/s through queue + aggregator, ` +
        `${ingest.direct.layerRowsPerSecond.toFixed(0)} straight into ingestEvents`,
    );
  }
} catch (error) {
  if (!interrupted) throw error;
} finally {
  await rig.close();
}
if (interrupted) process.exit(130);

const result = summarize(runs, ingest, {
  machine: { cores: cpus().length, node: process.version, loadAverage: loadAvg },
  options: o,
});
if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else process.stdout.write(`${result.summary}\n`);
