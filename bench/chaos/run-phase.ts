/**
 * One sweep on a farm of its own, with or without faults, measured from `sweep create` until every
 * trial is final and both queues are drained. The faults of the chaos phase are in `faults.ts`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32, parseSweepSpec, type SweepSpec } from '@satfarm/contracts';
import { createSweepFromSpec } from '@satfarm/scheduler';
import type { ServiceProcess } from '@satfarm/service/testing';
import { type ChaosFarm, openChaosFarm } from './chaos-farm.ts';
import { ChaosFaults, type FaultCounts } from './faults.ts';
import { checkRows, countRetrainedEpochs, type RowCheck } from './invariants.ts';
import type { ChaosOptions } from './options.ts';

export interface PhaseResult extends RowCheck {
  wallSeconds: number;
  epochsTrained: number;
  epochsRetrained: number;
  /** Epochs a fault cut short: one per trial running in a killed worker or when Redis was flushed. */
  epochsInterrupted: number;
  workerKills: number;
  aggregatorRestarts: number;
  redisFlushes: number;
  /** Times every PostgreSQL connection of the farm was terminated (what a server restart does to them). */
  postgresDisconnects: number;
  /** Trials `sweep resume` re-enqueued after the flush. */
  requeuedAfterFlush: number;
  retrained: { trialId: string; epoch: number; times: number }[];
}

const RESOLUTIONS = [12, 16, 20];
/** A farm that makes no progress for this long is stuck: the run fails with what it knows. */
const STALL_MS = 120_000;

/** ≥ `trials` tiny trials on the synthetic set: a second or two each on one core. */
export function chaosSpec(
  name: string,
  options: Pick<ChaosOptions, 'trials' | 'epochs' | 'search'>,
): SweepSpec {
  const seeds = Array.from({ length: Math.ceil(options.trials / RESOLUTIONS.length) }, (_, i) => i + 1);
  return parseSweepSpec({
    name,
    dataset: { name: 'synthetic', trainLimit: 512, testLimit: 128 },
    grid: { architecture: ['simple-cnn'], resolution: RESOLUTIONS, seed: seeds, depth: [2], baseWidth: [8] },
    training: { epochs: options.epochs, batchSize: 32, learningRate: 0.01 },
    retries: 3,
    ...(options.search
      ? { search: { strategy: 'successive-halving', minEpochs: 1, reductionFactor: 2 } }
      : {}),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PhaseContext {
  options: ChaosOptions;
  chaos: boolean;
  /** Epoch ms after which the phase gives up. */
  deadline: number;
  signal: AbortSignal;
  log(line: string): void;
}

export async function runPhase(ctx: PhaseContext): Promise<PhaseResult> {
  const label = ctx.chaos ? 'chaos' : 'calm';
  const farm = await openChaosFarm({
    label,
    redisUrl: ctx.options.redisUrl,
    databaseUrl: ctx.options.databaseUrl,
  });
  try {
    return await runOnFarm(farm, ctx, label);
  } finally {
    await farm.close();
    if (ctx.options.logDir !== undefined) await writeLogs(ctx.options.logDir, farm.services);
  }
}

async function runOnFarm(farm: ChaosFarm, ctx: PhaseContext, label: string): Promise<PhaseResult> {
  const { options } = ctx;
  const log = (line: string) => ctx.log(`[${label}] ${line}`);
  let serial = 0;
  const nextId = (kind: string) => `${label}-${kind}${++serial}`;

  const aggregator = await farm.startAggregator(nextId('aggregator'));
  const live = new Set<ServiceProcess>(
    await Promise.all(Array.from({ length: options.workers }, () => farm.startWorker(nextId('worker')))),
  );
  const started = performance.now();
  const { sweepId, trials } = await createSweepFromSpec({
    pool: farm.db.pool,
    trialsQueue: farm.queues.trials,
    spec: chaosSpec(`chaos-${label}`, options),
  });
  log(`sweep ${sweepId.slice(0, 8)} with ${trials} trials on ${options.workers} workers`);
  const faults = ctx.chaos
    ? new ChaosFaults({
        farm,
        sweepId,
        live,
        aggregator,
        // The fault schedule is reproducible from `--seed`.
        random: mulberry32(options.seed),
        killEveryMs: options.killEveryMs,
        nextId,
        log,
      })
    : undefined;
  const watch = new PhaseWatch({ farm, ctx, label, sweepId, trials, started, faults });
  for (;;) {
    await watch.check();
    if (faults !== undefined) await faults.step(await completedShare(farm, sweepId));
    // Every one-off fault happens before the run may end (on a fast machine a small sweep could
    // otherwise finish between two of them).
    if ((faults === undefined || faults.oneOffsDone) && (await settled(farm, sweepId))) break;
    await sleep(100);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  await Promise.allSettled([...(faults?.replacements ?? [])]);
  return phaseResult(farm, sweepId, wallSeconds, faults?.counts);
}

/**
 * Watches a running phase: reports progress every 10 s and fails the run when it was interrupted, ran
 * past its deadline, a replacement worker did not start, a service exited by itself, or nothing moved
 * (no epoch trained, no trial finished) for STALL_MS.
 */
class PhaseWatch {
  private lastProgress = '';
  private lastProgressAt = Date.now();
  private nextReportAt = Date.now() + 10_000;

  constructor(
    private readonly phase: {
      farm: ChaosFarm;
      ctx: PhaseContext;
      label: string;
      sweepId: string;
      trials: number;
      started: number;
      faults: ChaosFaults | undefined;
    },
  ) {}

  async check(): Promise<void> {
    const { farm, ctx, label, sweepId, trials, started, faults } = this.phase;
    if (Date.now() >= this.nextReportAt) {
      this.nextReportAt = Date.now() + 10_000;
      const share = await completedShare(farm, sweepId);
      ctx.log(
        `[${label}] ${Math.round(share * trials)}/${trials} trials completed after ` +
          `${((performance.now() - started) / 1000).toFixed(0)} s; ${faults?.counts.kills ?? 0} workers killed`,
      );
    }
    if (ctx.signal.aborted) throw new Error('interrupted');
    if (Date.now() > ctx.deadline) {
      throw new Error(`${label}: timed out; ${JSON.stringify(await checkRows(farm.db.pool, sweepId))}`);
    }
    if (faults !== undefined && faults.startFailures.length > 0) throw faults.startFailures[0];
    const crashed = farm.services.find((service) => service.done && !faults?.killed.has(service));
    if (crashed !== undefined) {
      const last = crashed.logs.slice(-8).map((record) => record.msg ?? JSON.stringify(record));
      throw new Error(`[${label}] ${crashed.id} exited by itself:\n  ${last.join('\n  ')}`);
    }
    const progress = `${await completedShare(farm, sweepId)}|${countRetrainedEpochs(farm.services.map((x) => x.logs)).epochsTrained}`;
    if (progress !== this.lastProgress) {
      this.lastProgress = progress;
      this.lastProgressAt = Date.now();
    } else if (Date.now() - this.lastProgressAt > STALL_MS) {
      throw new Error(
        `[${label}] no epoch trained and no trial finished for ${STALL_MS / 1000} s: ` +
          JSON.stringify(await checkRows(farm.db.pool, sweepId)),
      );
    }
  }
}

/** What PostgreSQL holds after the phase, the epochs its workers trained (twice), and the faults injected. */
async function phaseResult(
  farm: ChaosFarm,
  sweepId: string,
  wallSeconds: number,
  faults: FaultCounts | undefined,
): Promise<PhaseResult> {
  const rows = await checkRows(farm.db.pool, sweepId);
  const retrained = countRetrainedEpochs(farm.services.map((s) => s.logs));
  return {
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    ...rows,
    epochsTrained: retrained.epochsTrained,
    epochsRetrained: retrained.epochsRetrained,
    epochsInterrupted: faults?.interrupted ?? 0,
    workerKills: faults?.kills ?? 0,
    aggregatorRestarts: faults?.aggregatorRestarts ?? 0,
    redisFlushes: faults?.flushes ?? 0,
    postgresDisconnects: faults?.disconnects ?? 0,
    requeuedAfterFlush: faults?.requeued ?? 0,
    retrained: retrained.retrained,
  };
}

/** The share of trials that ended well: completed, or stopped by the search. */
async function completedShare(farm: ChaosFarm, sweepId: string): Promise<number> {
  const { rows } = await farm.db.pool.query<{ share: number }>(
    `SELECT (count(*) FILTER (WHERE status IN ('completed', 'pruned')))::float8 / greatest(count(*), 1) AS share
       FROM trials WHERE sweep_id = $1`,
    [sweepId],
  );
  return rows[0]?.share ?? 0;
}

/** Every trial final in PostgreSQL and nothing left in either queue (no result still to write). */
async function settled(farm: ChaosFarm, sweepId: string): Promise<boolean> {
  const { rows } = await farm.db.pool.query<{ open: number }>(
    `SELECT count(*)::int AS open FROM trials WHERE sweep_id = $1 AND status IN ('queued', 'running', 'paused')`,
    [sweepId],
  );
  if ((rows[0]?.open ?? 1) > 0) return false;
  const states = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;
  const [trials, results] = await Promise.all([
    farm.queues.trials.getJobCountByTypes(...states),
    farm.queues.results.getJobCountByTypes(...states),
  ]);
  return trials === 0 && results === 0;
}

async function writeLogs(dir: string, services: readonly ServiceProcess[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const service of services) {
    const lines = service.logs.map((record) => `${JSON.stringify(record)}\n`).join('');
    await writeFile(join(dir, `${service.id}.jsonl`), lines);
  }
}
