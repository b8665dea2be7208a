/**
 * One sweep on a farm of its own, with or without faults, measured from `sweep create` until every
 * trial is final and both queues are drained. Faults (chaos phase): a random worker SIGKILLed every
 * few seconds and replaced, the aggregator SIGKILLed and restarted once (after a quarter of the
 * trials), Redis flushed once (after half) followed by a `sweep resume`, every PostgreSQL connection
 * terminated once (after 70 %).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSweepSpec, type SweepSpec } from '@satfarm/contracts';
import { createRedisConnection } from '@satfarm/queue';
import { createSweepFromSpec, resumeSweep } from '@satfarm/scheduler';
import { type ChaosFarm, openChaosFarm } from './chaos-farm.ts';
import { checkRows, countRetrainedEpochs, type RowCheck } from './invariants.ts';
import type { ChaosOptions } from './options.ts';
import type { ServiceProcess } from './service-process.ts';

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
export function chaosSpec(name: string, options: Pick<ChaosOptions, 'trials' | 'epochs'>): SweepSpec {
  const seeds = Array.from({ length: Math.ceil(options.trials / RESOLUTIONS.length) }, (_, i) => i + 1);
  return parseSweepSpec({
    name,
    dataset: { name: 'synthetic', trainLimit: 512, testLimit: 128 },
    grid: { architecture: ['simple-cnn'], resolution: RESOLUTIONS, seed: seeds, depth: [2], baseWidth: [8] },
    training: { epochs: options.epochs, batchSize: 32, learningRate: 0.01 },
    retries: 3,
  });
}

/** mulberry32: the fault schedule is reproducible from `--seed`. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
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
  const random = seededRandom(options.seed);
  let serial = 0;
  const nextId = (kind: string) => `${label}-${kind}${++serial}`;

  let aggregator = await farm.startAggregator(nextId('aggregator'));
  const live = new Set<ServiceProcess>(
    await Promise.all(Array.from({ length: options.workers }, () => farm.startWorker(nextId('worker')))),
  );
  const spec = chaosSpec(`chaos-${label}`, options);
  const started = performance.now();
  const { sweepId, trials } = await createSweepFromSpec({
    pool: farm.db.pool,
    trialsQueue: farm.queues.trials,
    spec,
  });
  ctx.log(`[${label}] sweep ${sweepId.slice(0, 8)} with ${trials} trials on ${options.workers} workers`);

  const faults = { kills: 0, interrupted: 0, aggregatorRestarts: 0, flushes: 0, requeued: 0, disconnects: 0 };
  /** Processes this run killed; any other that exits crashed by itself, which fails the run. */
  const killed = new Set<ServiceProcess>();
  const replacements = new Set<Promise<void>>();
  const startFailures: unknown[] = [];
  const wait = () => Math.round(options.killEveryMs * (0.5 + random()));
  let nextKillAt = Date.now() + wait();

  const interruptions = new Map<string, number>();
  /**
   * SIGKILLs a random worker that is training a trial with at least one epoch checkpointed (a kill of a
   * worker still loading tests nothing but start-up). A trial is hit at most twice: BullMQ fails a job
   * that stalls more than 3 times on purpose (a trial that keeps killing its worker is poison), which
   * is not what this run measures.
   */
  const killWorker = async (): Promise<boolean> => {
    const active = await farm.queues.trials.getActive();
    const candidates = [...live].filter((w) => {
      if (w.done) return false;
      const job = active.find((j) => j.processedBy === w.id);
      const progress = job?.progress as { stage?: string; epoch?: number } | undefined;
      return (
        job?.id !== undefined &&
        progress?.stage === 'training' &&
        (progress.epoch ?? 0) >= 1 &&
        (interruptions.get(job.id) ?? 0) < 2
      );
    });
    const victim = candidates[Math.floor(random() * candidates.length)];
    if (victim === undefined) return false;
    // Trials the victim holds right now: each loses the epoch it was training.
    for (const job of active.filter((j) => j.processedBy === victim.id && j.id !== undefined)) {
      interruptions.set(job.id!, (interruptions.get(job.id!) ?? 0) + 1);
      faults.interrupted += 1;
    }
    live.delete(victim);
    killed.add(victim);
    victim.kill('SIGKILL');
    await victim.exited;
    faults.kills += 1;
    // Started in the background, as a supervisor (systemd, docker) would: the faults go on meanwhile.
    const replacement = farm.startWorker(nextId('worker')).then(
      (w) => {
        live.add(w);
      },
      (error: unknown) => {
        startFailures.push(error);
      },
    );
    replacements.add(replacement);
    void replacement.then(() => replacements.delete(replacement));
    return true;
  };

  const restartAggregator = async () => {
    killed.add(aggregator);
    aggregator.kill('SIGKILL');
    await aggregator.exited;
    aggregator = await farm.startAggregator(nextId('aggregator'));
    faults.aggregatorRestarts += 1;
    ctx.log(`[${label}] aggregator killed and restarted`);
  };

  const flushRedis = async () => {
    faults.interrupted += await farm.queues.trials.getActiveCount();
    const redis = createRedisConnection(farm.redisUrl);
    try {
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
    faults.flushes += 1;
    // What an operator does after losing Redis: `satfarm sweep resume SWEEP`.
    const resumed = await resumeSweep({
      pool: farm.db.pool,
      trialsQueue: farm.queues.trials,
      sweep: sweepId,
    });
    faults.requeued += resumed.requeued;
    ctx.log(`[${label}] Redis flushed; resume re-enqueued ${resumed.requeued} trials`);
  };

  /**
   * A PostgreSQL restart as the farm sees it, without restarting a server others share: every
   * connection to this phase's database is terminated; the aggregator's writes fail and are retried.
   */
  const disconnectPostgres = async () => {
    const { rows } = await farm.db.pool.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [farm.db.name],
    );
    faults.disconnects += 1;
    ctx.log(`[${label}] ${rows[0]?.n ?? 0} PostgreSQL connections terminated`);
  };

  let lastProgress = '';
  let lastProgressAt = Date.now();
  let nextReportAt = Date.now() + 10_000;
  for (;;) {
    if (Date.now() >= nextReportAt) {
      nextReportAt = Date.now() + 10_000;
      const share = await completedShare(farm, sweepId);
      ctx.log(
        `[${label}] ${Math.round(share * trials)}/${trials} trials completed after ` +
          `${((performance.now() - started) / 1000).toFixed(0)} s; ${faults.kills} workers killed`,
      );
    }
    if (ctx.signal.aborted) throw new Error('interrupted');
    if (Date.now() > ctx.deadline) {
      throw new Error(`${label}: timed out; ${JSON.stringify(await checkRows(farm.db.pool, sweepId))}`);
    }
    if (startFailures.length > 0) throw startFailures[0];
    const crashed = farm.services.find((service) => service.done && !killed.has(service));
    if (crashed !== undefined) {
      const last = crashed.logs.slice(-8).map((record) => record.msg ?? JSON.stringify(record));
      throw new Error(`[${label}] ${crashed.id} exited by itself:\n  ${last.join('\n  ')}`);
    }
    const progress = `${await completedShare(farm, sweepId)}|${countRetrainedEpochs(farm.services.map((x) => x.logs)).epochsTrained}`;
    if (progress !== lastProgress) {
      lastProgress = progress;
      lastProgressAt = Date.now();
    } else if (Date.now() - lastProgressAt > STALL_MS) {
      throw new Error(
        `[${label}] no epoch trained and no trial finished for ${STALL_MS / 1000} s: ` +
          JSON.stringify(await checkRows(farm.db.pool, sweepId)),
      );
    }
    if (ctx.chaos) {
      const done = await completedShare(farm, sweepId);
      if (faults.aggregatorRestarts === 0 && done >= 0.25) await restartAggregator();
      else if (faults.flushes === 0 && done >= 0.5) await flushRedis();
      else if (faults.disconnects === 0 && done >= 0.7) await disconnectPostgres();
      // The next kill waits for the last replacement to be up, so the farm never runs dry.
      else if (Date.now() >= nextKillAt && replacements.size === 0 && done < 1) {
        if (await killWorker()) nextKillAt = Date.now() + wait();
      }
    }
    // Every one-off fault happens before the run may end (on a fast machine a small sweep could
    // otherwise finish between two of them).
    const pending =
      ctx.chaos && (faults.aggregatorRestarts === 0 || faults.flushes === 0 || faults.disconnects === 0);
    if (!pending && (await settled(farm, sweepId))) break;
    await sleep(100);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  await Promise.allSettled([...replacements]);
  const rows = await checkRows(farm.db.pool, sweepId);
  const retrained = countRetrainedEpochs(farm.services.map((s) => s.logs));
  return {
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    ...rows,
    epochsTrained: retrained.epochsTrained,
    epochsRetrained: retrained.epochsRetrained,
    epochsInterrupted: faults.interrupted,
    workerKills: faults.kills,
    aggregatorRestarts: faults.aggregatorRestarts,
    redisFlushes: faults.flushes,
    postgresDisconnects: faults.disconnects,
    requeuedAfterFlush: faults.requeued,
    retrained: retrained.retrained,
  };
}

async function completedShare(farm: ChaosFarm, sweepId: string): Promise<number> {
  const { rows } = await farm.db.pool.query<{ share: number }>(
    `SELECT (count(*) FILTER (WHERE status = 'completed'))::float8 / greatest(count(*), 1) AS share
       FROM trials WHERE sweep_id = $1`,
    [sweepId],
  );
  return rows[0]?.share ?? 0;
}

/** Every trial final in PostgreSQL and nothing left in either queue (no result still to write). */
async function settled(farm: ChaosFarm, sweepId: string): Promise<boolean> {
  const { rows } = await farm.db.pool.query<{ open: number }>(
    `SELECT count(*)::int AS open FROM trials WHERE sweep_id = $1 AND status IN ('queued', 'running')`,
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
