import type { SandboxedJob } from 'bullmq';
import { childRuntime } from './child-runtime.ts';
import { runTrialJob, type TrialJobOutcome } from './run-trial-job.ts';

// Loading the module is BullMQ's start-up of this process: be ready to train when it is done.
await childRuntime().warmUp();

/**
 * The sandboxed processor (loaded by `trial-processor.mjs` inside a child process BullMQ forks), so
 * that seconds-long synchronous tfjs work never starves the parent's lock renewal.
 */
export default async function processTrial(
  job: SandboxedJob,
  token?: string,
  signal?: AbortSignal,
): Promise<TrialJobOutcome> {
  const runtime = childRuntime();
  return runTrialJob(
    {
      id: job.id,
      data: job.data,
      attemptsMade: job.attemptsMade,
      attemptsStarted: job.attemptsStarted,
      opts: { attempts: job.opts.attempts },
      updateProgress: (progress) => job.updateProgress({ ...progress }),
      log: (row) => job.log(row),
    },
    runtime.depsFor(job.id, token, signal),
  );
}
