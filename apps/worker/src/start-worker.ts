import {
  checkRedis,
  createResultsQueue,
  jsonLineLogger,
  type Logger,
  parseTrialJob,
  publishResult,
  QUEUE_NAMES,
  redactRedisUrl,
  redisConnectionOptions,
  type ResultsQueue,
  withFields,
} from '@satfarm/queue';
import { openCheckpointStore } from '@satfarm/checkpoints';
import { type Job, Worker } from 'bullmq';
import { CHILD_CONFIG_ENV, childConfigOf, encodeChildConfig } from './child-config.ts';
import { connectionTroubleReporter } from './connection-trouble.ts';
import { discoverNvidiaGpuBusIds } from './gpu-discovery.ts';
import { type GpuPin, pinGpus } from './gpu-pinning.ts';
import { prewarmChildren } from './prewarm-children.ts';
import { attemptOf, type TrialJobOutcome, type TrialProgress } from './run-trial-job.ts';
import { describeError } from './trial-errors.ts';
import { planTrialWorkers, type TrialWorkerPlan } from './trial-worker-plan.ts';
import {
  type CompiledWorkerOptions,
  checkpointStoreOf,
  compileWorkerOptions,
  type WorkerOptions,
} from './worker-options.ts';

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
 * BullMQ workers on `trials` whose processor runs in sandboxed child processes (one per concurrent
 * trial, reused between jobs so the tfjs backend and datasets stay loaded), all started before the first
 * trial is taken (see `prewarm`). One worker, or with `gpus` one per GPU whose trainers are pinned to it;
 * all in this process, closed together. Fails fast when Redis is unreachable, the checkpoint directory
 * is unusable or a GPU does not exist.
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const o = compileWorkerOptions(options);
  const logger = withFields(options.logger ?? jsonLineLogger((line) => process.stderr.write(line)), {
    workerId: o.workerId,
  });
  await checkRedis(o.redisUrl, o.redisTimeoutMs);
  const store = openCheckpointStore(checkpointStoreOf(o), { databaseUrl: o.databaseUrl });
  try {
    await store.check();
  } finally {
    await store.close();
  }
  const plans = planTrialWorkers(o.workerId, o.concurrency, await gpuPins(o, logger));

  const results = createResultsQueue({ redisUrl: o.redisUrl, prefix: o.prefix });
  const workers: Worker[] = [];
  try {
    for (const plan of plans) workers.push(createTrialWorker(o, plan, results, logger));
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    if (o.prewarm) await prewarm(o, workers, plans, logger);
  } catch (error) {
    await Promise.allSettled(workers.map((worker) => worker.close()));
    await results.close();
    throw error;
  }
  for (const worker of workers) {
    worker.run().catch((error: unknown) => logger.error('worker stopped on an error', { error }));
  }
  logger.info('worker ready', {
    concurrency: o.concurrency,
    prefix: o.prefix,
    backend: o.backend,
    ...(o.gpus !== undefined && {
      gpus: plans.map((p) => ({ gpu: p.gpu, trainers: p.concurrency, pciBusId: p.pciBusId })),
    }),
  });

  let closing: Promise<void> | undefined;
  return {
    workerId: o.workerId,
    close() {
      closing ??= (async () => {
        logger.info('worker stopping: running trials stop after their current epoch');
        // close() stops fetching and waits for running jobs; the abort signal tells each child to stop
        // at its next epoch boundary. Repeated, because a job fetched just before close() began is
        // tracked (and cancellable) only a moment later.
        const closed = Promise.allSettled(workers.map((worker) => worker.close()));
        const cancelAll = () => {
          for (const worker of workers) worker.cancelAllJobs(SHUTDOWN_REASON);
        };
        cancelAll();
        const again = setInterval(cancelAll, 100);
        try {
          const failed = (await closed).find((r): r is PromiseRejectedResult => r.status === 'rejected');
          if (failed !== undefined) throw failed.reason;
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
 * The GPUs to pin trainers to, with their PCI bus ids where the NVIDIA driver lists them; undefined
 * without `gpus`. A GPU the driver does not list is an error.
 */
async function gpuPins(o: CompiledWorkerOptions, logger: Logger): Promise<GpuPin[] | undefined> {
  if (o.gpus === undefined) return undefined;
  const busIds = await discoverNvidiaGpuBusIds(o.nvidiaGpusDir);
  const pins = pinGpus(o.gpus, busIds);
  if (busIds.length === 0) {
    logger.warn(
      'no NVIDIA GPUs listed: trainers are pinned with CUDA_VISIBLE_DEVICES only; WebGPU trainers cannot be pinned to a GPU here',
      { gpus: o.gpus, looked: o.nvidiaGpusDir },
    );
  }
  const inherited = process.env['CUDA_VISIBLE_DEVICES'];
  if (inherited !== undefined) {
    logger.warn('CUDA_VISIBLE_DEVICES of this process is replaced in each trainer: gpus are nvidia-smi ids', {
      CUDA_VISIBLE_DEVICES: inherited,
      gpus: o.gpus,
    });
  }
  return pins;
}

/** One BullMQ worker (not yet running) with its trainers' configuration and its logging. */
function createTrialWorker(
  o: CompiledWorkerOptions,
  plan: TrialWorkerPlan,
  results: ResultsQueue,
  parentLogger: Logger,
): Worker {
  const logger =
    plan.gpu === undefined ? parentLogger : withFields(parentLogger, { workerId: plan.name, gpu: plan.gpu });
  const childConfig = childConfigOf(o, { workerId: plan.name, gpu: plan.gpu });
  const worker = new Worker(QUEUE_NAMES.trials, PROCESSOR, {
    // Started by startWorker once the trainer processes are up.
    autorun: false,
    connection: redisConnectionOptions(o.redisUrl, { worker: true }),
    prefix: o.prefix,
    name: plan.name,
    concurrency: plan.concurrency,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: o.maxStalledCount,
    workerForkOptions: {
      env: { ...process.env, ...plan.env, [CHILD_CONFIG_ENV]: encodeChildConfig(childConfig) },
    },
  });
  const trouble = connectionTroubleReporter(logger, redactRedisUrl(o.redisUrl));
  worker.on('error', (error) => trouble.error(error));
  void worker.client.then(
    (client) => client.on('ready', () => trouble.ready()),
    () => {},
  );
  worker.on('active', (job) => logger.info('trial picked up', { trialId: job.id }));
  worker.on('progress', (job, progress) => {
    const p = progress as Partial<TrialProgress>;
    if (p.stage === 'training') logger.info('epoch done', { trialId: job.id, ...p });
  });
  worker.on('completed', (job, outcome: TrialJobOutcome) =>
    logger.info('trial done', { trialId: job.id, ...outcome }),
  );
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
  return worker;
}

/** Starts every worker's trainer processes (all at once) and logs how that went, in total. */
async function prewarm(
  o: CompiledWorkerOptions,
  workers: readonly Worker[],
  plans: readonly TrialWorkerPlan[],
  logger: Logger,
): Promise<void> {
  const started = performance.now();
  const outcomes = await Promise.all(
    workers.map((worker, i) => prewarmChildren(worker, PROCESSOR, plans[i]!.concurrency, o.prewarmTimeoutMs)),
  );
  const fields = {
    ready: outcomes.reduce((n, w) => n + w.ready, 0),
    failed: outcomes.reduce((n, w) => n + w.failed, 0),
    errors: outcomes.flatMap((w) => w.errors),
    supported: outcomes.every((w) => w.supported),
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  };
  if (fields.failed > 0) logger.warn('trainer processes not ready; trials start them again', fields);
  else logger.info('trainer processes ready', fields);
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
