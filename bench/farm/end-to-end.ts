import { createSweepFromSpec } from '@satfarm/scheduler';
import { cpuDelta, cpuSnapshot } from './cpu-usage.ts';
import type { FarmRig } from './farm-rig.ts';
import { tinySweepSpec } from './tiny-sweep.ts';
import type { Variant } from './variants.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-processes.ts';

export interface EndToEndSettings extends Variant {
  workers: number;
  trials: number;
  epochs: number;
  depth: number;
  dataset: 'synthetic' | 'fashion-mnist';
  fashionMnistDir: string;
  cpuProfileDir: string | undefined;
  baselineRoot: string | undefined;
  sweepTimeoutSeconds: number;
  label: string;
}

export interface SweepTiming {
  trials: number;
  seconds: number;
  trialsPerSecond: number;
  layerRows: number;
  rowsPerSecond: number;
}

export interface EndToEndResult extends Variant {
  workers: number;
  /** Spawning the worker processes (together) until all logged ready. */
  workerStartSeconds: number;
  /** First sweep on fresh workers: includes forking children and loading tfjs + wasm in each. */
  warmup: SweepTiming;
  /** The measured sweep on warm workers: enqueue → every trial `completed` in PostgreSQL. */
  measured: SweepTiming;
  /** CPU seconds per measured trial, by process group (Linux only). */
  cpuMsPerTrial: Record<string, number> | undefined;
}

/**
 * One variant: fresh worker processes, a warm-up sweep (so every sandboxed child is forked and has
 * loaded tfjs), then the measured sweep. Both are checked row by row before their timing counts.
 */
export async function measureEndToEnd(rig: FarmRig, s: EndToEndSettings): Promise<EndToEndResult> {
  const flushMs = s.flushMs ?? undefined;
  if (rig.flushMs !== flushMs) {
    await rig.stopAggregator();
    await rig.startAggregator(flushMs);
  }
  const started = performance.now();
  const workers: WorkerProcess[] = [];
  try {
    // Started together, as an operator (or systemd) would; each is pushed as soon as it is up so that
    // `finally` stops it even when another fails.
    const starting = Array.from({ length: s.workers }, (_, i) =>
      startWorkerProcess(`bench-${s.label}-w${i + 1}`, {
        redisUrl: rig.redisUrl,
        prefix: rig.prefix,
        checkpointDir: rig.checkpointDir,
        concurrency: s.concurrency,
        // A baseline checkout may know no --no-prewarm: it runs with its own defaults.
        prewarm: s.tree === 'baseline' || s.prewarm,
        fashionMnistDir: s.fashionMnistDir,
        cpuProfileDir: s.cpuProfileDir,
        root: s.tree === 'baseline' ? s.baselineRoot : undefined,
      }).then((w) => {
        workers.push(w);
        return w;
      }),
    );
    const settled = await Promise.allSettled(starting);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const workerStartSeconds = (performance.now() - started) / 1000;
    // Enough trials that every child of every worker gets some (children are forked on demand).
    const warmup = await runSweep(rig, s, `${s.label}-warmup`, Math.max(4, 3 * s.workers * s.concurrency));
    const groups = workers.map((w) => w.pid);
    const cpuBefore = cpuSnapshot(groups, rig.db.name);
    const measured = await runSweep(rig, s, `${s.label}-measured`, s.trials);
    const cpu = cpuDelta(cpuSnapshot(groups, rig.db.name), cpuBefore);
    return {
      workers: s.workers,
      tree: s.tree,
      concurrency: s.concurrency,
      prewarm: s.prewarm,
      flushMs: s.flushMs,
      workerStartSeconds,
      warmup,
      measured,
      cpuMsPerTrial:
        cpu === undefined
          ? undefined
          : Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, (v * 1000) / s.trials])),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

async function runSweep(
  rig: FarmRig,
  s: EndToEndSettings,
  name: string,
  trials: number,
): Promise<SweepTiming> {
  const spec = tinySweepSpec({
    name: `${name}-${rig.prefix}`,
    trials,
    epochs: s.epochs,
    depth: s.depth,
    dataset: s.dataset,
  });
  const t0 = performance.now();
  const created = await createSweepFromSpec({ pool: rig.db.pool, trialsQueue: rig.queues.trials, spec });
  await rig.sweepCompleted(created.sweepId, s.sweepTimeoutSeconds * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const layerRows = await checkSweep(rig, created.sweepId, trials, s.epochs);
  return {
    trials,
    seconds,
    trialsPerSecond: trials / seconds,
    layerRows,
    rowsPerSecond: layerRows / seconds,
  };
}

/** Every trial completed, with each epoch and layer row exactly once; returns the layer rows. */
async function checkSweep(rig: FarmRig, sweepId: string, trials: number, epochs: number): Promise<number> {
  const { rows } = await rig.db.pool.query<{
    trials: number;
    completed: number;
    epochs: number;
    layer_rows: number;
    bad_layer_sets: number;
  }>(
    `SELECT count(*)::int AS trials,
            count(*) FILTER (WHERE t.status = 'completed')::int AS completed,
            coalesce(sum((SELECT count(*) FROM epoch_metrics e WHERE e.trial_id = t.id)), 0)::int AS epochs,
            coalesce(sum((SELECT count(*) FROM layer_metrics l WHERE l.trial_id = t.id)), 0)::int AS layer_rows,
            count(*) FILTER (WHERE (SELECT count(*) FROM layer_metrics l WHERE l.trial_id = t.id)
                            <> 2 * $2::int * (SELECT count(DISTINCT layer_index) FROM layer_metrics l
                                              WHERE l.trial_id = t.id))::int AS bad_layer_sets
       FROM trials t WHERE t.sweep_id = $1`,
    [sweepId, epochs],
  );
  const r = rows[0]!;
  if (
    r.trials !== trials ||
    r.completed !== trials ||
    r.epochs !== trials * epochs ||
    r.bad_layer_sets !== 0
  ) {
    throw new Error(`sweep ${sweepId} is incomplete or duplicated in PostgreSQL: ${JSON.stringify(r)}`);
  }
  return r.layer_rows;
}
