import type { ResultEvent } from '@satfarm/contracts';
import { createPool, type Pool, withClient } from '@satfarm/db';
import {
  checkRedis,
  createTrialsQueue,
  DEFAULT_PREFIX,
  InvalidJobError,
  jsonLineLogger,
  type Logger,
  parseResultEvent,
  QUEUE_NAMES,
  redisConnectionOptions,
  withFields,
} from '@satfarm/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import { AggregatorOptionError, aggregatorSettings } from './aggregator-settings.ts';
import { type AggregatorStats, batchWriter, emptyStats } from './batch-writer.ts';
import { MicroBatcher } from './batcher.ts';

export interface AggregatorOptions {
  redisUrl: string;
  /** A pool to use (not closed by `close()`), or a URL to open one for. */
  pool?: Pool | undefined;
  databaseUrl?: string | undefined;
  prefix?: string | undefined;
  /** Events per transaction at most (default 256). */
  batchSize?: number | undefined;
  /** How long the first event of a batch waits for company (default 25 ms). */
  flushMs?: number | undefined;
  /**
   * Result jobs in flight at once (default 2 × batchSize): a job stays active until its batch is
   * committed, so with only batchSize in flight nothing is fetched while a full batch is written.
   */
  concurrency?: number | undefined;
  logger?: Logger | undefined;
  redisTimeoutMs?: number | undefined;
  /**
   * A result job's lock lifetime (default 60 s) and how often stalled jobs are looked for (default 30 s):
   * after an aggregator crash, the results it held are delivered again within about their sum. Chaos
   * runs and tests make them short.
   */
  lockDurationMs?: number | undefined;
  stalledIntervalMs?: number | undefined;
}

export interface AggregatorHandle {
  stats(): AggregatorStats;
  /** Stops taking results, commits what is buffered, closes the worker (and the pool it opened). */
  close(): Promise<void>;
}

/**
 * Consumes `results` with many jobs in flight and writes them in micro-batches: every job's processor
 * adds its event to a buffer and waits for that batch's transaction (`ingestEvents`, idempotent
 * upserts). A batch that fails is retried event by event, so one bad event fails only its own job.
 */
export async function startAggregator(options: AggregatorOptions): Promise<AggregatorHandle> {
  const {
    batchSize,
    flushMs,
    concurrency,
    lockDurationMs: lockDuration,
    stalledIntervalMs: stalledInterval,
  } = aggregatorSettings({
    batchSize: options.batchSize,
    flushMs: options.flushMs,
    concurrency: options.concurrency,
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs,
  });
  if (options.pool === undefined && options.databaseUrl === undefined) {
    throw new AggregatorOptionError('give either pool or databaseUrl');
  }
  const logger = withFields(options.logger ?? jsonLineLogger((line) => process.stderr.write(line)), {
    component: 'aggregator',
  });
  await checkRedis(options.redisUrl, options.redisTimeoutMs ?? 3_000);
  const { pool, ownPool } = await openPool(options, logger);
  const stats = emptyStats();
  // Rung decisions are taken as results are written; the promoted trials' jobs are added from here.
  const trialsQueue = createTrialsQueue({ redisUrl: options.redisUrl, prefix: options.prefix });
  const batcher = new MicroBatcher<ResultEvent, void>(
    batchWriter({ pool, trialsQueue, logger, stats }),
    batchSize,
    flushMs,
  );
  const worker = resultsWorker(options, { concurrency, lockDuration, stalledInterval }, batcher, logger);
  await worker.waitUntilReady();
  logger.info('aggregator ready', { batchSize, flushMs, concurrency });

  let closing: Promise<void> | undefined;
  return {
    stats: () => ({ ...stats }),
    close() {
      closing ??= (async () => {
        try {
          // Running jobs wait on the buffer, whose timer keeps flushing until they are done.
          await worker.close();
          await batcher.drain();
        } finally {
          await trialsQueue.close();
          if (ownPool) await pool.end();
        }
        logger.info('aggregator stopped', { ...stats });
      })();
      return closing;
    },
  };
}

/** The pool to write with: the caller's, or one opened for `databaseUrl` and checked before use. */
async function openPool(
  options: AggregatorOptions,
  logger: Logger,
): Promise<{ pool: Pool; ownPool: boolean }> {
  if (options.pool !== undefined) return { pool: options.pool, ownPool: false };
  const pool = createPool(options.databaseUrl!, {
    applicationName: 'satfarm-aggregator',
    onIdleError: (error) => logger.warn('idle PostgreSQL connection failed', { error: error.message }),
  });
  try {
    // Fail at start-up, naming the URL, rather than at the first result: an aggregator that cannot
    // reach PostgreSQL would otherwise report itself ready and only fill the failed list.
    await withClient(pool, (client) => client.query('SELECT 1'));
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { pool, ownPool: true };
}

/** The BullMQ worker on `results`: each job's event joins the current batch and waits for its commit. */
function resultsWorker(
  options: AggregatorOptions,
  settings: { concurrency: number; lockDuration: number; stalledInterval: number },
  batcher: MicroBatcher<ResultEvent, void>,
  logger: Logger,
): Worker {
  const worker = new Worker(
    QUEUE_NAMES.results,
    async (job) => {
      let event: ResultEvent;
      try {
        event = parseResultEvent(job.data, job.id);
      } catch (error) {
        // Retrying cannot fix a malformed event; it stays in `failed` for inspection.
        if (error instanceof InvalidJobError) throw new UnrecoverableError(error.message);
        throw error;
      }
      await batcher.add(event);
    },
    {
      connection: redisConnectionOptions(options.redisUrl, { worker: true }),
      prefix: options.prefix ?? DEFAULT_PREFIX,
      // Results are small and fast; a full batch may wait on PostgreSQL, not on CPU.
      ...settings,
    },
  );
  worker.on('error', (error) => logger.error('aggregator worker error', { error: error.message }));
  worker.on('failed', (job, error) =>
    logger.warn('result not written', {
      jobId: job?.id,
      attemptsMade: job?.attemptsMade,
      error: error.message,
    }),
  );
  return worker;
}

export { AggregatorOptionError, type AggregatorStats };
