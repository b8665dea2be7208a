import type { EndToEndResult } from './end-to-end.ts';
import type { IngestMeasurement, IngestResult } from './ingest.ts';
import { median } from './median.ts';
import type { FarmBenchOptions } from './options.ts';
import { sameVariant, type Variant, variantLabel, variantsOf } from './variants.ts';

export interface VariantSummary extends Variant {
  workers: number;
  rounds: number;
  /** Medians over rounds. */
  trialsPerSecond: number;
  rowsPerSecond: number;
  /** Spawning the workers until ready, then the first sweep on them (children forked, tfjs loaded). */
  workerStartSeconds: number;
  coldSweepSeconds: number;
  coldSweepTrials: number;
  cpuMsPerTrial: Record<string, number> | undefined;
  /** Every round's measured trials/s, in run order. */
  perRound: number[];
}

/** The report: headline figures from the fastest variant (by median trials/s), every variant, ingest. */
export function summarize(
  runs: readonly EndToEndResult[],
  ingest: IngestResult | undefined,
  context: { machine: Record<string, unknown>; options: FarmBenchOptions },
) {
  const o = context.options;
  const variants: VariantSummary[] = variantsOf(o)
    .map((variant) => runs.filter((r) => sameVariant(r, variant)))
    .filter((rs) => rs.length > 0)
    .map((rs) => ({
      tree: rs[0]!.tree,
      concurrency: rs[0]!.concurrency,
      prewarm: rs[0]!.prewarm,
      flushMs: rs[0]!.flushMs,
      workers: rs[0]!.workers,
      rounds: rs.length,
      trialsPerSecond: median(rs.map((r) => r.measured.trialsPerSecond)),
      rowsPerSecond: median(rs.map((r) => r.measured.rowsPerSecond)),
      workerStartSeconds: median(rs.map((r) => r.workerStartSeconds)),
      coldSweepSeconds: median(rs.map((r) => r.warmup.seconds)),
      coldSweepTrials: rs[0]!.warmup.trials,
      cpuMsPerTrial: medianRecord(rs.map((r) => r.cpuMsPerTrial)),
      perRound: rs.map((r) => r.measured.trialsPerSecond),
    }));
  // The headline is this tree's best; a baseline is only there to compare with.
  const best = variants
    .filter((v) => v.tree === 'current')
    .reduce<VariantSummary | undefined>(
      (a, v) => (a === undefined || v.trialsPerSecond > a.trialsPerSecond ? v : a),
      undefined,
    );
  const layerRowsPerTrial = runs[0] === undefined ? 0 : runs[0].measured.layerRows / runs[0].measured.trials;
  const result = {
    trialsPerSecond: best?.trialsPerSecond ?? 0,
    rowsPerSecond: best?.rowsPerSecond ?? 0,
    aggregatorIngestRowsPerSecond: ingest?.throughQueue.layerRowsPerSecond ?? null,
    aggregatorIngestMethod:
      'pre-built events (started, epochs, finished) loaded into the results queue, then consumed by a freshly started aggregator with default options; median of rounds',
    ingestEventsRowsPerSecond: ingest?.direct.layerRowsPerSecond ?? null,
    trials: o.trials,
    workers: o.workers,
    concurrency: best?.concurrency ?? null,
    prewarm: best?.prewarm ?? null,
    flushMs: best?.flushMs ?? null,
    trial: { dataset: o.dataset, epochs: o.epochs, samplesPerEpoch: 8, depth: o.depth, layerRowsPerTrial },
    variants,
    ingest: ingest ?? null,
    machine: context.machine,
  };
  return { ...result, summary: humanSummary(result, variants, ingest) };
}

function medianRecord(records: readonly (Record<string, number> | undefined)[]) {
  const present = records.filter((r): r is Record<string, number> => r !== undefined);
  if (present.length === 0) return undefined;
  return Object.fromEntries(Object.keys(present[0]!).map((k) => [k, median(present.map((r) => r[k] ?? 0))]));
}

function humanSummary(
  r: {
    trialsPerSecond: number;
    rowsPerSecond: number;
    trials: number;
    workers: number;
    trial: { layerRowsPerTrial: number; epochs: number };
    machine: Record<string, unknown>;
  },
  variants: readonly VariantSummary[],
  ingest: IngestResult | undefined,
): string {
  const best = variants.find((v) => v.trialsPerSecond === r.trialsPerSecond);
  const lines = [
    variants.length === 0
      ? 'end to end: not measured (--trials 0)'
      : `farm overhead: ${r.trialsPerSecond.toFixed(1)} trials/s and ${r.rowsPerSecond.toFixed(0)} layer rows/s end to end ` +
        `(${r.workers} worker processes, ${best === undefined ? '-' : variantLabel(best)}; ${r.trials} trials of ` +
        `${r.trial.epochs} one-batch epoch(s), ${r.trial.layerRowsPerTrial} layer rows each; enqueue → PostgreSQL; ` +
        `load average at start ${JSON.stringify(r.machine.loadAverage)})`,
  ];
  for (const v of variants) {
    const cpu =
      v.cpuMsPerTrial === undefined
        ? ''
        : `; CPU ms/trial: ${Object.entries(v.cpuMsPerTrial)
            .map(([k, ms]) => `${k} ${ms.toFixed(1)}`)
            .join(', ')}`;
    lines.push(
      `  ${variantLabel(v)}: ${v.trialsPerSecond.toFixed(1)} trials/s (rounds: ` +
        `${v.perRound.map((x) => x.toFixed(1)).join(', ')}); start: workers ready in ${v.workerStartSeconds.toFixed(1)} s, ` +
        `first ${v.coldSweepTrials} trials in ${v.coldSweepSeconds.toFixed(1)} s${cpu}`,
    );
  }
  const ingestLine = (label: string, m: IngestMeasurement) =>
    `${label}: ${m.throughQueue.layerRowsPerSecond.toFixed(0)} layer rows/s ` +
    `(${m.throughQueue.eventsPerSecond.toFixed(0)} events/s) through the results queue and a fresh ` +
    `aggregator; ${m.direct.layerRowsPerSecond.toFixed(0)} layer rows/s straight into ingestEvents ` +
    `(${m.direct.events} events, ${m.direct.layerRows} layer rows each way)`;
  if (ingest !== undefined) lines.push(ingestLine('aggregator ingest', ingest));
  if (ingest?.baseline !== undefined) lines.push(ingestLine('  baseline', ingest.baseline));
  return lines.join('\n');
}
