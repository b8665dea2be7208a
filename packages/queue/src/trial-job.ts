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
    /**
     * Successive-halving searches: the stage this job trains (0 = up to the first rung) and the epoch
     * it stops at to wait for the rung's decision. Absent: every epoch (a grid sweep, or a survivor of
     * the last rung).
     */
    rung: z.number().int().min(0).max(64).default(0),
    untilEpoch: z.number().int().min(1).optional(),
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
  const expectedJobId = trialJobId(job.trialId, job.rung);
  if (jobId !== undefined && jobId !== expectedJobId) {
    throw new InvalidJobError(
      QUEUE_NAMES.trials,
      jobId,
      `job id must be '${expectedJobId}' (trial and rung)`,
    );
  }
  return job;
}

/**
 * The BullMQ job id of a trial's stage: the trial id for the first (and only, in a grid sweep), then
 * one id per promotion, so that a decision taken twice adds its job once while a trial promoted again
 * gets a new job beside the finished one of its last rung.
 */
export function trialJobId(trialId: string, rung = 0): string {
  return rung === 0 ? trialId : `${trialId}-r${rung}`;
}
