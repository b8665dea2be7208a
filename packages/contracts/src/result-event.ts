import { z } from 'zod';
import { EpochResult } from './epoch-result.ts';
import { PrintableName } from './printable-text.ts';

/** Sweep and trial ids are `stableHash` outputs: 32 lowercase hex characters. */
export const EntityId = z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex characters');

/**
 * Attempt number of one run of a trial, starting at 1 and growing across retries *and* resumes
 * (a resumed job continues from the trial's stored `attempts`), so a stale run is always older.
 */
export const Attempt = z.number().int().min(1).max(1_000_000);

const Timestamp = z.iso.datetime({ offset: true });

export const TRIAL_OUTCOMES = ['completed', 'failed', 'diverged'] as const;
export const TrialOutcome = z.enum(TRIAL_OUTCOMES);
export type TrialOutcome = z.infer<typeof TrialOutcome>;

/** A worker began (or resumed) an attempt of a trial. */
export const StartedEvent = z
  .object({
    type: z.literal('started'),
    trialId: EntityId,
    sweepId: EntityId,
    attempt: Attempt,
    /** The worker id a person may choose (SATFARM_WORKER_ID): shown in results, so no control characters. */
    worker: PrintableName,
    backend: z.string().min(1).max(100),
    device: z.string().max(500),
    at: Timestamp,
  })
  .strict();
export type StartedEvent = z.infer<typeof StartedEvent>;

/** One finished epoch with its per-layer saturation. */
export const EpochEvent = z
  .object({
    type: z.literal('epoch'),
    trialId: EntityId,
    sweepId: EntityId,
    attempt: Attempt,
    result: EpochResult,
  })
  .strict();
export type EpochEvent = z.infer<typeof EpochEvent>;

/**
 * An attempt ended. Publish `failed` only when no retry will follow, so the sweep can tell it is done.
 * A `completed` event carries the trial's whole epoch history (restored from its checkpoint as well as
 * trained by this attempt): written in the same transaction that marks the trial completed, so a
 * completed trial can never lack an epoch whose own event Redis lost (flushed, failed over).
 */
export const FinishedEvent = z
  .object({
    type: z.literal('finished'),
    trialId: EntityId,
    sweepId: EntityId,
    attempt: Attempt,
    status: TrialOutcome,
    error: z.string().max(10_000).optional(),
    at: Timestamp,
    /** Every epoch, 1..n in order; required when `status` is `completed`. */
    epochs: z.array(EpochResult).max(100_000).optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    if (event.status === 'completed' && event.epochs === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['epochs'],
        message: 'a completed trial must carry its epoch history (epochs 1..n)',
      });
    }
    checkHistory(event.epochs, ctx);
  });
export type FinishedEvent = z.infer<typeof FinishedEvent>;

/**
 * A trial of a successive-halving search trained up to its rung's epoch and waits for the rung's
 * decision. Like `completed`, it carries the whole history (1..epoch), written in the transaction that
 * records the pause, since the decision reads it.
 */
export const PausedEvent = z
  .object({
    type: z.literal('paused'),
    trialId: EntityId,
    sweepId: EntityId,
    attempt: Attempt,
    /** The stage the trial trained in (0 = up to the first rung). */
    rung: z.number().int().min(0).max(64),
    at: Timestamp,
    epochs: z.array(EpochResult).min(1).max(100_000),
  })
  .strict()
  .superRefine((event, ctx) => checkHistory(event.epochs, ctx));
export type PausedEvent = z.infer<typeof PausedEvent>;

function checkHistory(epochs: readonly EpochResult[] | undefined, ctx: z.RefinementCtx): void {
  epochs?.forEach((result, i) => {
    if (result.epoch !== i + 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['epochs', i, 'epoch'],
        message: `got epoch ${result.epoch} at position ${i}, expected ${i + 1} (epochs 1..n in order)`,
      });
    }
  });
}

/** What workers publish on the results queue and the aggregator writes to PostgreSQL. */
export const ResultEvent = z.discriminatedUnion('type', [
  StartedEvent,
  EpochEvent,
  FinishedEvent,
  PausedEvent,
]);
export type ResultEvent = z.infer<typeof ResultEvent>;
