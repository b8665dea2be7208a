import type { ResultEvent } from '@satfarm/contracts';
import type { Dataset } from '@satfarm/data';
import {
  createResultsQueue,
  createTrialsQueue,
  jsonLineLogger,
  type Logger,
  publishResult,
  publishResults,
  withFields,
} from '@satfarm/queue';
import { openCheckpointStore, parseCheckpointStoreSetting } from '@satfarm/checkpoints';
import { selectBackend } from '@satfarm/backends';
import { prepareDataset } from '@satfarm/training';
import { Job } from 'bullmq';
import { type ChildConfig, CHILD_CONFIG_ENV, decodeChildConfig } from './child-config.ts';
import { DatasetCache } from './dataset-cache.ts';
import type { ActiveBackendInfo, TrialRunnerDeps } from './run-trial-job.ts';

/**
 * State of one sandboxed trainer process, kept across the jobs it runs: the tfjs backend (initialised
 * once), prepared datasets, Redis producers and the stop flag.
 */
export interface ChildRuntime {
  config: ChildConfig;
  logger: Logger;
  /**
   * Loads the tfjs backend and connects to Redis now, so that the process is ready for a trial as
   * soon as BullMQ reports it started (see prewarm-children.ts). Never throws: a backend that cannot
   * load fails the trials that need it, with the error, as it would without warming up.
   */
  warmUp(): Promise<void>;
  /** Deps for one job; `token` is the job's lock token (needed to hand the job back). */
  depsFor(
    jobId: string | undefined,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): TrialRunnerDeps;
}

let runtime: ChildRuntime | undefined;

export function childRuntime(): ChildRuntime {
  runtime ??= createChildRuntime(decodeChildConfig(process.env[CHILD_CONFIG_ENV]));
  return runtime;
}

function createChildRuntime(config: ChildConfig): ChildRuntime {
  const logger = withFields(
    jsonLineLogger((line) => process.stderr.write(line)),
    { workerId: config.workerId, pid: process.pid },
  );
  // SIGTERM/SIGINT reach the child directly when the whole process group is signalled (Ctrl-C, systemd,
  // docker stop): finish the current epoch, checkpoint, hand the job back. BullMQ's own handler then
  // waits for that and exits.
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent died (SIGKILL, OOM): nobody renews this job's lock or hears from us any more, and another
  // worker will take the trial over from its checkpoint. Training on would only race that worker.
  process.once('disconnect', () => {
    logger.warn('parent worker process is gone; exiting');
    process.exit(1);
  });

  if (config.gpu !== undefined) {
    logger.info('trainer process pinned to a GPU', {
      gpu: config.gpu,
      CUDA_VISIBLE_DEVICES: process.env['CUDA_VISIBLE_DEVICES'],
      DRI_PRIME: process.env['DRI_PRIME'],
    });
  }

  const results = createResultsQueue({ redisUrl: config.redisUrl, prefix: config.prefix });
  const trials = createTrialsQueue({ redisUrl: config.redisUrl, prefix: config.prefix });
  const setting = parseCheckpointStoreSetting(config.checkpointStore, {
    field: 'checkpointStore',
    checkpointDir: config.checkpointDir,
  });
  const checkpoints = openCheckpointStore(setting, {
    databaseUrl: config.databaseUrl,
    onCorrupt: (report) => logger.warn('corrupt checkpoint ignored', { ...report }),
    onRetry: (report) => logger.warn('checkpoint store unreachable; retrying', { ...report }),
  });
  let backend: Promise<ActiveBackendInfo> | undefined;
  const activeBackend = () => {
    backend ??= selectBackend(config.backend, { gpu: config.gpu }).then((b) => ({
      name: b.name,
      device: b.device,
    }));
    return backend;
  };
  const datasets = new DatasetCache<Dataset>(config.datasetCacheSize, (trial) =>
    prepareDataset(trial.dataset, trial.resolution, trial.seed, {
      fashionMnistDir: config.fashionMnistDir,
      cifar10Dir: config.cifar10Dir,
    }),
  );

  return {
    config,
    logger,
    async warmUp() {
      await Promise.allSettled([activeBackend(), results.waitUntilReady(), trials.waitUntilReady()]);
    },
    depsFor(jobId, token, signal) {
      return {
        workerId: `${config.workerId}/${process.pid}`,
        backend: activeBackend,
        dataset: (trial) => datasets.get(trial),
        checkpoints,
        publish: (event: ResultEvent) => publishResult(results, event),
        publishAll: (events) => publishResults(results, events),
        shouldStop: () => stopping || signal?.aborted === true,
        isCancelled: async () => {
          if (jobId === undefined) return false;
          const job = await Job.fromId(trials, jobId);
          return (job?.data as { cancelled?: unknown } | undefined)?.cancelled === true;
        },
        ownsJob: async () => {
          if (jobId === undefined || token === undefined) return true;
          try {
            const client = await trials.client;
            return (await client.get(trials.toKey(`${jobId}:lock`))) === token;
          } catch {
            // Redis unreachable for a moment: not a reason to stop; the lock manager decides later.
            return true;
          }
        },
        // Moved with this process's own connection and awaited, so the job is back in `wait` before
        // BullMQ hears about it (a message to the parent could still be in flight when it shuts down).
        requeue: async () => {
          if (jobId === undefined) return;
          const job = await Job.fromId(trials, jobId);
          await job?.moveToWait(token);
        },
      };
    },
  };
}
