import { EntityId, TrialConfig, trialIdFor } from '@satfarm/contracts';
import { z } from 'zod';
import { InvalidJobError } from './errors.ts';
import { QUEUE_NAMES } from './names.ts';

/**
 * The payload of a `trials` job: one trial, self-contained. `attemptsBefore` is the number of attempts
 * PostgreSQL already recorded for the trial when it was (re-)enqueued, so attempt numbers keep growing
 * across `sweep resume` even though BullMQ's own counters start again at 0 for a re-added job.
 */
export const TrialJob = z
  .object({
    sweepId: EntityId,
    trialId: EntityId,
    config: TrialConfig,
    attemptsBefore: z.number().int().min(0).default(0),
    /** Set on a running job by `sweep cancel`: the trainer stops after its current epoch. */
    cancelled: z.boolean().optional(),
  })
  .strict();
export type TrialJob = z.infer<typeof TrialJob>;
export type TrialJobInput = z.input<typeof TrialJob>;

/**
 * Validates a trial payload (on enqueue and on dequeue). Besides the shape, the trial id must be the
 * hash of (sweep, config): a job whose id and config disagree would write results under the wrong trial.
 */
export function parseTrialJob(data: unknown, jobId?: string): TrialJob {
  const parsed = TrialJob.safeParse(data);
  if (!parsed.success) {
    throw new InvalidJobError(
      QUEUE_NAMES.trials,
      jobId,
      z.prettifyError(parsed.error).replaceAll('\n', '; '),
    );
  }
  const job = parsed.data;
  const expected = trialIdFor(job.sweepId, job.config);
  if (job.trialId !== expected) {
    throw new InvalidJobError(
      QUEUE_NAMES.trials,
      jobId,
      `trialId '${job.trialId}' is not the id of its config in sweep ${job.sweepId} (expected '${expected}')`,
    );
  }
  if (jobId !== undefined && jobId !== job.trialId) {
    throw new InvalidJobError(QUEUE_NAMES.trials, jobId, `job id must equal trialId '${job.trialId}'`);
  }
  return job;
}
