import {
  checkRedis,
  createResultsQueue,
  jsonLineLogger,
  type Logger,
  parseTrialJob,
  publishResult,
  QUEUE_NAMES,
  redisConnectionOptions,
  type ResultsQueue,
  withFields,
} from '@satfarm/queue';
import { CheckpointStore } from '@satfarm/training';
import { type Job, Worker } from 'bullmq';
import { CHILD_CONFIG_ENV, childConfigOf, encodeChildConfig } from './child-config.ts';
import { prewarmChildren } from './prewarm-children.ts';
import { attemptOf, type TrialJobOutcome, type TrialProgress } from './run-trial-job.ts';
import { describeError } from './trial-errors.ts';
import { compileWorkerOptions, type WorkerOptions } from './worker-options.ts';

export interface WorkerHandle {
  readonly workerId: string;
  /**
   * Stops taking trials; each running trial stops after its current epoch's checkpoint and goes back
   * to the queue (no attempt used) for any worker to resume; then child processes and connections end.
   */
  close(): Promise<void>;
}

const PROCESSOR = new URL('./trial-processor.mjs', import.meta.url);
const SHUTDOWN_REASON = 'worker shutting down';

/**
 * A BullMQ worker on `trials` whose processor runs in sandboxed child processes (one per concurrent
 * trial, reused between jobs so the tfjs backend and datasets stay loaded), all started before the first
 * trial is taken (see `prewarm`). Fails fast when Redis is unreachable or the checkpoint directory is
 * unusable.
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const o = compileWorkerOptions(options);
  const logger = withFields(options.logger ?? jsonLineLogger((line) => process.stderr.write(line)), {
    workerId: o.workerId,
  });
  await checkRedis(o.redisUrl, o.redisTimeoutMs);
  await new CheckpointStore(o.checkpointDir).check();

  const worker = new Worker(QUEUE_NAMES.trials, PROCESSOR, {
    // Started below, once the trainer processes are up.
    autorun: false,
    connection: redisConnectionOptions(o.redisUrl, { worker: true }),
    prefix: o.prefix,
    name: o.workerId,
    concurrency: o.concurrency,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: o.maxStalledCount,
    workerForkOptions: {
      env: { ...process.env, [CHILD_CONFIG_ENV]: encodeChildConfig(childConfigOf(o)) },
    },
  });
  worker.on('error', (error) => logger.error('worker error', { error }));
  worker.on('active', (job) => logger.info('trial picked up', { trialId: job.id }));
  worker.on('progress', (job, progress) => {
    const p = progress as Partial<TrialProgress>;
    if (p.stage === 'training') logger.info('epoch done', { trialId: job.id, ...p });
  });
  worker.on('completed', (job, outcome: TrialJobOutcome) =>
    logger.info('trial done', { trialId: job.id, ...outcome }),
  );
  const results = createResultsQueue({ redisUrl: o.redisUrl, prefix: o.prefix });
  worker.on('failed', (job, error) => {
    logger.warn('trial attempt failed', {
      trialId: job?.id,
      attemptsMade: job?.attemptsMade,
      attempts: job?.opts.attempts,
      final: job?.finishedOn !== undefined,
      error: error.message,
    });
    if (job?.finishedOn !== undefined) void reportFinalFailure(results, job, error, logger);
  });
  try {
    await worker.waitUntilReady();
    if (o.prewarm) {
      const started = performance.now();
      const warm = await prewarmChildren(worker, PROCESSOR, o.concurrency, o.prewarmTimeoutMs);
      const fields = { ...warm, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
      if (warm.failed > 0) logger.warn('trainer processes not ready; trials start them again', fields);
      else logger.info('trainer processes ready', fields);
    }
  } catch (error) {
    await worker.close();
    await results.close();
    throw error;
  }
  worker.run().catch((error: unknown) => logger.error('worker stopped on an error', { error }));
  logger.info('worker ready', { concurrency: o.concurrency, prefix: o.prefix, backend: o.backend });

  let closing: Promise<void> | undefined;
  return {
    workerId: o.workerId,
    close() {
      closing ??= (async () => {
        logger.info('worker stopping: running trials stop after their current epoch');
        // close() stops fetching and waits for running jobs; the abort signal tells each child to stop
        // at its next epoch boundary. Repeated, because a job fetched just before close() began is
        // tracked (and cancellable) only a moment later.
        const closed = worker.close();
        worker.cancelAllJobs(SHUTDOWN_REASON);
        const again = setInterval(() => worker.cancelAllJobs(SHUTDOWN_REASON), 100);
        try {
          await closed;
        } finally {
          clearInterval(again);
          await results.close();
        }
        logger.info('worker stopped');
      })();
      return closing;
    },
  };
}

/**
 * A trial failed for good. The trainer reports that itself when it catches the error; when its process
 * died instead (out of memory, a crash in native code) nobody did, and the trial would stay `running`.
 * Publishing again is harmless: same event id, and the database ignores a repeated final status.
 */
async function reportFinalFailure(
  results: ResultsQueue,
  job: Job,
  error: Error,
  logger: Logger,
): Promise<void> {
  try {
    const trial = parseTrialJob(job.data, job.id);
    await publishResult(results, {
      type: 'finished',
      trialId: trial.trialId,
      sweepId: trial.sweepId,
      attempt: attemptOf(job, trial.attemptsBefore),
      status: 'failed',
      error: describeError(error),
      at: new Date().toISOString(),
    });
  } catch (cause) {
    logger.warn('could not record the failed trial', { trialId: job.id, error: describeError(cause) });
  }
}
