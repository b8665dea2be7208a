import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AggregatorHandle, startAggregator } from '@satfarm/aggregator';
import { type FarmQueues, type LogFields, type Logger, openFarmQueues } from '@satfarm/queue';
import { type BenchDatabase, createBenchDatabase } from './bench-database.ts';

/**
 * Everything the bench owns: its database, BullMQ prefix, checkpoint directory and the aggregator
 * (in this process, with its own pool, as `satfarm aggregator` would run). `close()` removes it all.
 */
export interface FarmRig {
  redisUrl: string;
  prefix: string;
  db: BenchDatabase;
  queues: FarmQueues;
  checkpointDir: string;
  aggregator: AggregatorHandle;
  /** Resolves when the aggregator reports `sweepId` completed (its own log line, so no polling). */
  sweepCompleted(sweepId: string, timeoutMs: number): Promise<void>;
  /** Makes every pending and later `sweepCompleted` fail at once (Ctrl-C). */
  abort(reason: string): void;
  readonly aborted: string | undefined;
  stopAggregator(): Promise<void>;
  /**
   * A fresh aggregator after `stopAggregator` (the ingest measurement starts one on a loaded queue);
   * `flushMs` as in AggregatorOptions (undefined: the aggregator's default).
   */
  startAggregator(flushMs?: number): Promise<void>;
  /** The running aggregator's `flushMs` (undefined: its default). */
  readonly flushMs: number | undefined;
  close(): Promise<void>;
}

export async function startFarmRig(options: { redisUrl: string; databaseUrl: string }): Promise<FarmRig> {
  const prefix = `satfarm-bench-${process.pid}-${randomBytes(4).toString('hex')}`;
  const db = await createBenchDatabase(options.databaseUrl);
  const queues = openFarmQueues({ redisUrl: options.redisUrl, prefix });
  const checkpointDir = await mkdtemp(join(tmpdir(), 'satfarm-bench-ckpt-'));
  const completed = new Set<string>();
  const waiters = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  const logger: Logger = {
    info(message: string, fields?: LogFields) {
      if (message !== 'sweep completed' || typeof fields?.sweepId !== 'string') return;
      completed.add(fields.sweepId);
      waiters.get(fields.sweepId)?.resolve();
    },
    warn() {},
    error(message: string, fields?: LogFields) {
      process.stderr.write(`aggregator: ${message} ${JSON.stringify(fields ?? {})}\n`);
    },
  };
  let flushMs: number | undefined;
  const start = () =>
    startAggregator({ redisUrl: options.redisUrl, databaseUrl: db.url, prefix, logger, flushMs });
  let aggregator: AggregatorHandle | undefined;
  try {
    aggregator = await start();
  } catch (error) {
    await queues.close();
    await db.drop();
    throw error;
  }
  let stopped = false;
  let aborted: string | undefined;
  const rig: FarmRig = {
    redisUrl: options.redisUrl,
    prefix,
    db,
    queues,
    checkpointDir,
    aggregator,
    get aborted() {
      return aborted;
    },
    abort(reason) {
      aborted = reason;
      for (const waiter of [...waiters.values()]) waiter.reject(new Error(reason));
    },
    sweepCompleted(sweepId, timeoutMs) {
      if (completed.has(sweepId)) return Promise.resolve();
      if (rig.aborted !== undefined) return Promise.reject(new Error(rig.aborted));
      return new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(sweepId);
          if (error === undefined) resolve();
          else reject(error);
        };
        const timer = setTimeout(
          () => settle(new Error(`sweep ${sweepId} did not complete within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        waiters.set(sweepId, { resolve: () => settle(), reject: settle });
      });
    },
    async stopAggregator() {
      if (stopped) return;
      stopped = true;
      await rig.aggregator.close();
    },
    get flushMs() {
      return flushMs;
    },
    async startAggregator(flush) {
      if (!stopped) throw new Error('the aggregator is still running');
      flushMs = flush;
      rig.aggregator = await start();
      stopped = false;
    },
    async close() {
      await rig.stopAggregator().catch(() => {});
      await queues.obliterate().catch(() => {});
      await queues.close();
      await db.drop();
      await rm(checkpointDir, { recursive: true, force: true });
    },
  };
  return rig;
}
