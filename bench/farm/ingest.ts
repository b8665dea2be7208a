import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAggregator } from '@satfarm/aggregator';
import { createSweep, ingestEvents } from '@satfarm/db';
import { publishResults } from '@satfarm/queue';
import { cpuDelta, cpuSnapshot } from './cpu-usage.ts';
import type { FarmRig } from './farm-rig.ts';
import { median } from './median.ts';
import { layerRowsOf, prebuiltEvents } from './result-events.ts';
import { tinySweepSpec } from './tiny-sweep.ts';

export interface IngestSettings {
  trials: number;
  epochs: number;
  layers: number;
  rounds: number;
  timeoutSeconds: number;
  /** Another checkout whose aggregator and `ingestEvents` are measured the same way, interleaved. */
  baselineRoot: string | undefined;
}

export interface IngestTiming {
  events: number;
  layerRows: number;
  seconds: number;
  eventsPerSecond: number;
  layerRowsPerSecond: number;
  /** CPU seconds spent meanwhile: this process (aggregator), redis-server, our PostgreSQL backends. */
  cpuSeconds: Record<string, number> | undefined;
}

export interface IngestMeasurement {
  /**
   * Pre-built events, loaded into the results queue while no aggregator ran, then consumed by a freshly
   * started aggregator (default options): its start until every layer row is committed. Median round.
   */
  throughQueue: IngestTiming;
  /** The same kind of events handed straight to `ingestEvents` in batches of 256. Median round. */
  direct: IngestTiming;
}

export interface IngestResult extends IngestMeasurement {
  /** The baseline checkout's aggregator and ingest, measured in the same rounds. */
  baseline?: IngestMeasurement | undefined;
}

/** The two entry points measured; this tree's, or a baseline checkout's loaded from its files. */
interface IngestImplementation {
  startAggregator: typeof startAggregator;
  ingestEvents: typeof ingestEvents;
}

const DIRECT_BATCH = 256;
const silent = { info() {}, warn() {}, error() {} };

export async function measureIngest(rig: FarmRig, s: IngestSettings): Promise<IngestResult> {
  const current: IngestImplementation = { startAggregator, ingestEvents };
  const baseline = s.baselineRoot === undefined ? undefined : await loadBaseline(s.baselineRoot);
  // The rig's aggregator would take the pre-loaded events: each measurement starts its own.
  await rig.stopAggregator();
  const runs: { tree: 'current' | 'baseline'; direct: IngestTiming; throughQueue: IngestTiming }[] = [];
  for (let round = 1; round <= s.rounds; round++) {
    const order = [
      { tree: 'current' as const, impl: current },
      ...(baseline === undefined ? [] : [{ tree: 'baseline' as const, impl: baseline }]),
    ];
    if (round % 2 === 0) order.reverse();
    for (const { tree, impl } of order) {
      const label = `${tree}-${round}`;
      const direct = await timeDirect(rig, s, impl, label);
      const throughQueue = await timeThroughQueue(rig, s, impl, label);
      runs.push({ tree, direct, throughQueue });
    }
  }
  const summary = (tree: 'current' | 'baseline'): IngestMeasurement => {
    const mine = runs.filter((r) => r.tree === tree);
    return {
      direct: medianTiming(mine.map((r) => r.direct)),
      throughQueue: medianTiming(mine.map((r) => r.throughQueue)),
    };
  };
  return { ...summary('current'), baseline: baseline === undefined ? undefined : summary('baseline') };
}

/**
 * A baseline checkout's aggregator and ingest, by file path: it is not a workspace package of this
 * tree, and its own node_modules resolve its imports to its own packages.
 */
async function loadBaseline(root: string): Promise<IngestImplementation> {
  const aggregator = (await import(pathToFileURL(join(root, 'apps/aggregator/src/index.ts')).href)) as {
    startAggregator: typeof startAggregator;
  };
  const db = (await import(pathToFileURL(join(root, 'packages/db/src/index.ts')).href)) as {
    ingestEvents: typeof ingestEvents;
  };
  return { startAggregator: aggregator.startAggregator, ingestEvents: db.ingestEvents };
}

async function trialsFor(rig: FarmRig, s: IngestSettings, name: string) {
  const spec = tinySweepSpec({
    name: `${name}-${rig.prefix}`,
    trials: s.trials,
    epochs: s.epochs,
    depth: 2,
    dataset: 'synthetic',
  });
  const written = await createSweep(rig.db.pool, spec);
  return written.newTrialIds.map((trialId) => ({ sweepId: written.sweepId, trialId }));
}

async function timeDirect(
  rig: FarmRig,
  s: IngestSettings,
  impl: IngestImplementation,
  label: string,
): Promise<IngestTiming> {
  const events = prebuiltEvents(await trialsFor(rig, s, `ingest-direct-${label}`), s.epochs, s.layers);
  const cpu = cpuSnapshot([], rig.db.name);
  const t0 = performance.now();
  let layerRows = 0;
  for (let i = 0; i < events.length; i += DIRECT_BATCH) {
    layerRows += (await impl.ingestEvents(rig.db.pool, events.slice(i, i + DIRECT_BATCH))).layerRows;
  }
  const seconds = (performance.now() - t0) / 1000;
  const spent = cpuDelta(cpuSnapshot([], rig.db.name), cpu);
  return timing(events.length, expectRows(layerRows, s), seconds, spent);
}

async function timeThroughQueue(
  rig: FarmRig,
  s: IngestSettings,
  impl: IngestImplementation,
  label: string,
): Promise<IngestTiming> {
  const events = prebuiltEvents(await trialsFor(rig, s, `ingest-queue-${label}`), s.epochs, s.layers);
  for (let i = 0; i < events.length; i += 500) {
    await publishResults(rig.queues.results, events.slice(i, i + 500));
  }
  const cpu = cpuSnapshot([], rig.db.name);
  const t0 = performance.now();
  const aggregator = await impl.startAggregator({
    redisUrl: rig.redisUrl,
    databaseUrl: rig.db.url,
    prefix: rig.prefix,
    logger: silent,
  });
  try {
    const expected = layerRowsOf(s.trials, s.epochs, s.layers);
    const deadline = t0 + s.timeoutSeconds * 1000;
    // In-process counters: polling them costs nothing.
    for (;;) {
      const stats = aggregator.stats();
      if (stats.events >= events.length && stats.layerRows >= expected) break;
      if (rig.aborted !== undefined) throw new Error(rig.aborted);
      if (performance.now() > deadline) {
        throw new Error(
          `ingest through the queue did not finish in ${s.timeoutSeconds} s: ${JSON.stringify(stats)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const seconds = (performance.now() - t0) / 1000;
    const spent = cpuDelta(cpuSnapshot([], rig.db.name), cpu);
    return timing(events.length, expectRows(aggregator.stats().layerRows, s), seconds, spent);
  } finally {
    await aggregator.close();
  }
}

function expectRows(rows: number, s: IngestSettings): number {
  const expected = layerRowsOf(s.trials, s.epochs, s.layers);
  if (rows !== expected) throw new Error(`ingest wrote ${rows} layer rows, expected ${expected}`);
  return rows;
}

function timing(
  events: number,
  layerRows: number,
  seconds: number,
  cpu: ReturnType<typeof cpuDelta>,
): IngestTiming {
  return {
    events,
    layerRows,
    seconds,
    eventsPerSecond: events / seconds,
    layerRowsPerSecond: layerRows / seconds,
    cpuSeconds:
      cpu === undefined
        ? undefined
        : {
            aggregator: cpu.benchAndAggregator,
            redisServer: cpu.redisServer,
            postgresBackends: cpu.postgresBackends,
          },
  };
}

/** The round with the median rate (a real round, so its CPU figures belong to it). */
function medianTiming(timings: readonly IngestTiming[]): IngestTiming {
  const rate = median(timings.map((t) => t.layerRowsPerSecond));
  return timings.reduce((best, t) =>
    Math.abs(t.layerRowsPerSecond - rate) < Math.abs(best.layerRowsPerSecond - rate) ? t : best,
  );
}
