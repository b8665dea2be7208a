import type { ResultEvent } from '@satfarm/contracts';
import { type IngestResult, ingestEvents, type Pool } from '@satfarm/db';
import type { Logger, TrialsQueue } from '@satfarm/queue';
import type { Settled } from './batcher.ts';
import { enqueuePromotions } from './promotions.ts';

/** What the aggregator has written so far (`stats()`, and its last log line). */
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

export function emptyStats(): AggregatorStats {
  return {
    batches: 0,
    events: 0,
    epochRows: 0,
    layerRows: 0,
    failedBatches: 0,
    completedSweeps: 0,
    promotions: 0,
  };
}

/**
 * The micro-batcher's flush: one `ingestEvents` transaction per batch, then the jobs of the search
 * trials its rung decisions promoted (added before the batch's results are acknowledged, so a failure
 * brings the results, and with them the promotions, back). A batch that fails is written again event
 * by event, so one bad event fails only its own job.
 */
export function batchWriter(deps: {
  pool: Pool;
  trialsQueue: TrialsQueue;
  logger: Logger;
  stats: AggregatorStats;
}): (events: ResultEvent[]) => Promise<Settled<void>[]> {
  const { pool, trialsQueue, logger, stats } = deps;
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
  const write = async (events: ResultEvent[]) => {
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
  return async (events) => {
    try {
      await write(events);
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
        await write([event]);
        outcomes.push({ ok: true, value: undefined });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  };
}
