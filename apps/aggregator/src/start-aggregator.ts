import type { ResultEvent } from '@satfarm/contracts';
import { createPool, type IngestResult, ingestEvents, type Pool, withClient } from '@satfarm/db';
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
import { MicroBatcher, type Settled } from './batcher.ts';
import { enqueuePromotions } from './promotions.ts';

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

export interface AggregatorStats {
  batches: number;
  events: number;
  epochRows: number;
  layerRows: number;
  failedBatches: number;
  completedSweeps: number;
  /** Search trials promoted to a next stage (counted each time their job is added, so maybe twice). */
  promotions: number;
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
  const ownPool = options.pool === undefined;
  const pool =
    options.pool ??
    createPool(options.databaseUrl!, {
      applicationName: 'satfarm-aggregator',
      onIdleError: (error) => logger.warn('idle PostgreSQL connection failed', { error: error.message }),
    });

  try {
    // Fail at start-up, naming the URL, rather than at the first result: an aggregator that cannot
    // reach PostgreSQL would otherwise report itself ready and only fill the failed list.
    await withClient(pool, (client) => client.query('SELECT 1'));
  } catch (error) {
    if (ownPool) await pool.end();
    throw error;
  }

  const stats: AggregatorStats = {
    batches: 0,
    events: 0,
    epochRows: 0,
    layerRows: 0,
    failedBatches: 0,
    completedSweeps: 0,
    promotions: 0,
  };
  // Rung decisions are taken as results are written; the promoted trials' jobs are added from here.
  const trialsQueue = createTrialsQueue({ redisUrl: options.redisUrl, prefix: options.prefix });
  const record = (result: IngestResult, events: number) => {
    stats.batches += 1;
    stats.events += events;
    stats.epochRows += result.epochRows;
    stats.layerRows += result.layerRows;
    for (const sweepId of result.completedSweeps) {
      stats.completedSweeps += 1;
      logger.info('sweep completed', { sweepId });
    }
    if (result.unknownTrialEvents > 0) {
      logger.warn('results for unknown trials ignored', { events: result.unknownTrialEvents });
    }
  };
  const ingest = async (events: ResultEvent[]) => {
    const result = await ingestEvents(pool, events);
    if (result.promotions.length > 0) {
      await enqueuePromotions(trialsQueue, result.promotions);
      stats.promotions += result.promotions.length;
      logger.info('search trials promoted', {
        trials: result.promotions.map((p) => `${p.trialId} → rung ${p.rung} (until epoch ${p.untilEpoch})`),
      });
    }
    record(result, events.length);
  };
  const flush = async (events: ResultEvent[]): Promise<Settled<void>[]> => {
    try {
      await ingest(events);
      return events.map(() => ({ ok: true, value: undefined }));
    } catch (error) {
      stats.failedBatches += 1;
      if (events.length === 1) throw error;
      logger.warn('batch write failed; writing its events one by one', {
        events: events.length,
        error: String(error),
      });
    }
    const outcomes: Settled<void>[] = [];
    for (const event of events) {
      try {
        await ingest([event]);
        outcomes.push({ ok: true, value: undefined });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  };
  const batcher = new MicroBatcher<ResultEvent, void>(flush, batchSize, flushMs);

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
      concurrency,
      // Results are small and fast; a full batch may wait on PostgreSQL, not on CPU.
      lockDuration,
      stalledInterval,
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

export { AggregatorOptionError };
