import { Queue } from 'bullmq';
import { redisConnectionOptions } from './connection.ts';
import { DEFAULT_PREFIX, QUEUE_NAMES } from './names.ts';
import { parseTrialJob, type TrialJob, type TrialJobInput, trialJobId } from './trial-job.ts';

export interface QueueOptions {
  redisUrl: string;
  prefix?: string | undefined;
}

export type TrialsQueue = Queue<TrialJob, unknown, 'trial'>;

/** The producer side of `trials`; it owns its connection (`close()` ends it). */
export function createTrialsQueue(options: QueueOptions): TrialsQueue {
  return new Queue<TrialJob, unknown, 'trial'>(QUEUE_NAMES.trials, {
    connection: redisConnectionOptions(options.redisUrl),
    prefix: options.prefix ?? DEFAULT_PREFIX,
  });
}

export interface EnqueueOptions {
  /** Runs of a trial before it is recorded as failed (spec `retries` + 1). */
  attempts: number;
  /** First retry delay; doubles on every further retry. */
  backoffMs?: number | undefined;
}

/** Finished trial jobs are kept a while for inspection (dashboard, `bullmq` tools), then dropped. */
const KEEP_COMPLETED = { age: 7 * 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 30 * 24 * 3600 };

/**
 * Adds one job per trial (stage) with `jobId = trialJobId(trialId, rung)`. BullMQ ignores an add whose id already exists, so
 * enqueuing the same trial twice (two `sweep create`s, a resume racing a worker) queues it once.
 * Every payload is validated first; one bad trial adds nothing.
 */
export async function enqueueTrials(
  queue: TrialsQueue,
  trials: readonly TrialJobInput[],
  options: EnqueueOptions,
): Promise<void> {
  if (!Number.isInteger(options.attempts) || options.attempts < 1) {
    throw new RangeError(`attempts must be an integer >= 1, got ${options.attempts}`);
  }
  const jobs = trials.map((t) => {
    const data = parseTrialJob(t);
    return {
      name: 'trial' as const,
      data,
      opts: {
        jobId: trialJobId(data.trialId, data.rung),
        attempts: options.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 5_000 },
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      },
    };
  });
  // addBulk is one MULTI per call; chunks keep a 10k-trial sweep from building one giant transaction.
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
}
