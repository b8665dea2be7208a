import { ResultEvent } from '@satfarm/contracts';
import { Queue } from 'bullmq';
import { z } from 'zod';
import { redisConnectionOptions } from './connection.ts';
import { InvalidJobError } from './errors.ts';
import { DEFAULT_PREFIX, QUEUE_NAMES } from './names.ts';
import type { QueueOptions } from './trials-queue.ts';

export type ResultsQueue = Queue<ResultEvent, unknown, ResultEvent['type']>;

/** The producer side of `results`; it owns its connection (`close()` ends it). */
export function createResultsQueue(options: QueueOptions): ResultsQueue {
  return new Queue<ResultEvent, unknown, ResultEvent['type']>(QUEUE_NAMES.results, {
    connection: redisConnectionOptions(options.redisUrl),
    prefix: options.prefix ?? DEFAULT_PREFIX,
  });
}

/**
 * Deterministic job id of an event: re-sending the same event while its job waits (a retried
 * `onEpoch`, a resumed trial replaying its checkpointed history) finds that job and adds nothing.
 */
export function resultJobId(event: ResultEvent): string {
  const epoch = event.type === 'epoch' ? event.result.epoch : 0;
  return `${event.trialId}.${event.attempt}.${event.type}.${epoch}`;
}

/**
 * A result leaves Redis as soon as the aggregator wrote it. Kept, its id would outlive the database it
 * went to: the same spec run against a recreated or second database has the same trial ids and
 * attempts, and BullMQ would silently drop every new event under a kept id, so that database would
 * never hear of its trials. The rows in PostgreSQL are idempotent upserts, so an event re-sent after its
 * job is gone only rewrites the same row.
 */
const KEEP_COMPLETED = true;
const KEEP_FAILED = { age: 30 * 24 * 3600 };

function jobOptions(event: ResultEvent) {
  return {
    jobId: resultJobId(event),
    // A failed write (PostgreSQL down) retries for about an hour.
    attempts: 12,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}

/** Validates and publishes one event. */
export async function publishResult(queue: ResultsQueue, event: ResultEvent): Promise<void> {
  const data = parseResultEvent(event);
  await queue.add(data.type, data, jobOptions(data));
}

/** Validates and publishes several events in one round trip, in order. */
export async function publishResults(queue: ResultsQueue, events: readonly ResultEvent[]): Promise<void> {
  const jobs = events.map((event) => {
    const data = parseResultEvent(event);
    return { name: data.type, data, opts: jobOptions(data) };
  });
  if (jobs.length > 0) await queue.addBulk(jobs);
}

/** Validates an event (when publishing and when consuming). */
export function parseResultEvent(data: unknown, jobId?: string): ResultEvent {
  const parsed = ResultEvent.safeParse(data);
  if (!parsed.success) {
    throw new InvalidJobError(
      QUEUE_NAMES.results,
      jobId,
      z.prettifyError(parsed.error).replaceAll('\n', '; '),
    );
  }
  return parsed.data;
}
