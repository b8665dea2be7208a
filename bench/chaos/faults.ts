/**
 * The faults of a chaos phase, injected into a running farm as its sweep progresses: a random worker
 * SIGKILLed every few seconds and replaced in the background, the aggregator SIGKILLed and restarted
 * once (after a quarter of the trials), Redis flushed once (after half) followed by a `sweep resume`,
 * every PostgreSQL connection terminated once (after 70 %).
 */
import { createRedisConnection } from '@satfarm/queue';
import { resumeSweep } from '@satfarm/scheduler';
import type { ServiceProcess } from '@satfarm/service/testing';
import type { ChaosFarm } from './chaos-farm.ts';

export interface FaultCounts {
  kills: number;
  /** Epochs a fault cut short: one per trial running in a killed worker or when Redis was flushed. */
  interrupted: number;
  aggregatorRestarts: number;
  flushes: number;
  /** Trials `sweep resume` re-enqueued after the flush. */
  requeued: number;
  disconnects: number;
}

export interface ChaosFaultsOptions {
  farm: ChaosFarm;
  sweepId: string;
  /** The workers running now; a killed one leaves it, its replacement joins it once ready. */
  live: Set<ServiceProcess>;
  aggregator: ServiceProcess;
  /** The fault schedule's random numbers (seeded: a run is reproducible from `--seed`). */
  random: () => number;
  /** Mean time between worker kills. */
  killEveryMs: number;
  /** The id of the next service started. */
  nextId(kind: 'worker' | 'aggregator'): string;
  log(line: string): void;
}

export class ChaosFaults {
  readonly counts: FaultCounts = {
    kills: 0,
    interrupted: 0,
    aggregatorRestarts: 0,
    flushes: 0,
    requeued: 0,
    disconnects: 0,
  };
  /** Processes this run killed; any other that exits crashed by itself, which fails the run. */
  readonly killed = new Set<ServiceProcess>();
  /** Replacement workers still starting. */
  readonly replacements = new Set<Promise<void>>();
  /** Replacements that failed to start (the run fails with the first). */
  readonly startFailures: unknown[] = [];
  private readonly interruptions = new Map<string, number>();
  private aggregator: ServiceProcess;
  private nextKillAt: number;

  constructor(private readonly options: ChaosFaultsOptions) {
    this.aggregator = options.aggregator;
    this.nextKillAt = Date.now() + this.killInterval();
  }

  /** Every one-off fault has happened: the run may not end before (a small sweep could finish first). */
  get oneOffsDone(): boolean {
    const { aggregatorRestarts, flushes, disconnects } = this.counts;
    return aggregatorRestarts > 0 && flushes > 0 && disconnects > 0;
  }

  /** Injects the fault that is due with this share of the trials completed, if any. */
  async step(completed: number): Promise<void> {
    if (this.counts.aggregatorRestarts === 0 && completed >= 0.25) await this.restartAggregator();
    else if (this.counts.flushes === 0 && completed >= 0.5) await this.flushRedis();
    else if (this.counts.disconnects === 0 && completed >= 0.7) await this.disconnectPostgres();
    // The next kill waits for the last replacement to be up, so the farm never runs dry.
    else if (Date.now() >= this.nextKillAt && this.replacements.size === 0 && completed < 1) {
      if (await this.killWorker()) this.nextKillAt = Date.now() + this.killInterval();
    }
  }

  private killInterval(): number {
    return Math.round(this.options.killEveryMs * (0.5 + this.options.random()));
  }

  /**
   * SIGKILLs a random worker that is training a trial with at least one epoch checkpointed (a kill of a
   * worker still loading tests nothing but start-up). A trial is hit at most twice: BullMQ fails a job
   * that stalls more than 3 times on purpose (a trial that keeps killing its worker is poison), which
   * is not what this run measures.
   */
  private async killWorker(): Promise<boolean> {
    const { farm, live, random } = this.options;
    const active = await farm.queues.trials.getActive();
    const candidates = [...live].filter((w) => {
      if (w.done) return false;
      const job = active.find((j) => j.processedBy === w.id);
      const progress = job?.progress as { stage?: string; epoch?: number } | undefined;
      return (
        job?.id !== undefined &&
        progress?.stage === 'training' &&
        (progress.epoch ?? 0) >= 1 &&
        (this.interruptions.get(job.id) ?? 0) < 2
      );
    });
    const victim = candidates[Math.floor(random() * candidates.length)];
    if (victim === undefined) return false;
    // Trials the victim holds right now: each loses the epoch it was training.
    for (const job of active.filter((j) => j.processedBy === victim.id && j.id !== undefined)) {
      this.interruptions.set(job.id!, (this.interruptions.get(job.id!) ?? 0) + 1);
      this.counts.interrupted += 1;
    }
    live.delete(victim);
    this.killed.add(victim);
    victim.kill('SIGKILL');
    await victim.exited;
    this.counts.kills += 1;
    // Started in the background, as a supervisor (systemd, docker) would: the faults go on meanwhile.
    const replacement = farm.startWorker(this.options.nextId('worker')).then(
      (w) => {
        live.add(w);
      },
      (error: unknown) => {
        this.startFailures.push(error);
      },
    );
    this.replacements.add(replacement);
    void replacement.then(() => this.replacements.delete(replacement));
    return true;
  }

  private async restartAggregator(): Promise<void> {
    this.killed.add(this.aggregator);
    this.aggregator.kill('SIGKILL');
    await this.aggregator.exited;
    this.aggregator = await this.options.farm.startAggregator(this.options.nextId('aggregator'));
    this.counts.aggregatorRestarts += 1;
    this.options.log('aggregator killed and restarted');
  }

  private async flushRedis(): Promise<void> {
    const { farm, sweepId } = this.options;
    this.counts.interrupted += await farm.queues.trials.getActiveCount();
    const redis = createRedisConnection(farm.redisUrl);
    try {
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
    this.counts.flushes += 1;
    // What an operator does after losing Redis: `satfarm sweep resume SWEEP`.
    const resumed = await resumeSweep({
      pool: farm.db.pool,
      trialsQueue: farm.queues.trials,
      sweep: sweepId,
    });
    this.counts.requeued += resumed.requeued;
    this.options.log(`Redis flushed; resume re-enqueued ${resumed.requeued} trials`);
  }

  /**
   * A PostgreSQL restart as the farm sees it, without restarting a server others share: every
   * connection to this phase's database is terminated; the aggregator's writes fail and are retried.
   */
  private async disconnectPostgres(): Promise<void> {
    const { farm } = this.options;
    const { rows } = await farm.db.pool.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [farm.db.name],
    );
    this.counts.disconnects += 1;
    this.options.log(`${rows[0]?.n ?? 0} PostgreSQL connections terminated`);
  }
}
