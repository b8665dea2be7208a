import {
  EntityId,
  type EpochResult,
  type FinishedEvent,
  type ResultEvent,
  type TrialConfig,
} from '@satfarm/contracts';
import type { Dataset } from '@satfarm/data';
import { parseTrialJob, type TrialJob } from '@satfarm/queue';
import type { CheckpointStore, TrainerCheckpoint } from '@satfarm/checkpoints';
import { trainTrial } from '@satfarm/training';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { describeError, isCheckpointMismatch, isDivergence, isNonRetryable } from './trial-errors.ts';

/** The parts of a (sandboxed) BullMQ job the trainer uses. */
export interface TrialJobHandle {
  id?: string | undefined;
  data: unknown;
  attemptsMade: number;
  /** Activations so far, this one included (grows on retries, stalls and requeues). */
  attemptsStarted?: number | undefined;
  opts: { attempts?: number | undefined };
  updateProgress(progress: TrialProgress): Promise<void>;
  log(row: string): Promise<void> | void;
}

/** What `job.progress` holds while a trial runs (the dashboard and `worker` logs read it). */
export interface TrialProgress {
  stage: 'loading' | 'training';
  attempt: number;
  /** Last finished epoch (0 before the first). */
  epoch: number;
  epochs: number;
  resumedFrom: number;
  testAccuracy?: number | undefined;
  trainLoss?: number | undefined;
}

export interface ActiveBackendInfo {
  name: string;
  device: string;
}

export interface TrialRunnerDeps {
  workerId: string;
  backend(): Promise<ActiveBackendInfo>;
  dataset(config: TrialConfig): Promise<Dataset>;
  checkpoints: CheckpointStore;
  publish(event: ResultEvent): Promise<void>;
  /** Several events in one round trip, in order. */
  publishAll(events: readonly ResultEvent[]): Promise<void>;
  /** Puts the job back in the wait list without using up an attempt (graceful shutdown). */
  requeue(): Promise<void>;
  /** Polled after every epoch's checkpoint: true stops the trial there. */
  shouldStop(): boolean;
  /** Asked after every epoch: was the trial cancelled (`sweep cancel`) while it ran? */
  isCancelled(): Promise<boolean>;
  /**
   * Asked before every epoch's checkpoint: is the job still this run's (in Redis, locked with its
   * token)? False once Redis lost it (flushed, failed over) or another worker took the trial over after
   * a stall: the run then stops and writes nothing more, so that it neither races the run that owns
   * the trial now nor deletes the checkpoint that run resumes from. Absent = always true.
   */
  ownsJob?: (() => Promise<boolean>) | undefined;
  now?: (() => Date) | undefined;
}

export interface TrialJobOutcome {
  /** `paused`: a search trial reached its rung's epoch and waits for the rung's decision. */
  status: 'completed' | 'diverged' | 'cancelled' | 'paused';
  attempt: number;
  /** Epochs trained by this run (not counting those restored from a checkpoint). */
  trainedEpochs: number;
  resumedFrom: number;
}

/** attemptsBefore (from PostgreSQL) + this job's activations: grows on every retry, takeover and resume. */
export function attemptOf(
  job: Pick<TrialJobHandle, 'attemptsMade' | 'attemptsStarted'>,
  attemptsBefore: number,
): number {
  return attemptsBefore + Math.max(1, job.attemptsStarted ?? job.attemptsMade + 1);
}

/**
 * One trial job, start to end: validate → `started` → restore the checkpoint (replaying its epochs'
 * events) → train, checkpointing and publishing every epoch → `finished`. Throws UnrecoverableError for
 * a config that can never work, WaitingError after requeueing on shutdown, anything else to retry.
 */
export async function runTrialJob(job: TrialJobHandle, deps: TrialRunnerDeps): Promise<TrialJobOutcome> {
  const now = deps.now ?? (() => new Date());
  let trial: TrialJob;
  try {
    trial = parseTrialJob(job.data, job.id);
  } catch (error) {
    await publishInvalidJob(job, deps, describeError(error), now);
    throw new UnrecoverableError(describeError(error));
  }
  const { sweepId, trialId, config } = trial;
  const attempt = attemptOf(job, trial.attemptsBefore);
  const epochs = config.training.epochs;
  // A search stage stops at its rung's epoch; a grid trial (or a last-rung survivor) trains them all.
  const untilEpoch = Math.min(trial.untilEpoch ?? epochs, epochs);
  const pause = (history: readonly EpochResult[]) =>
    deps.publish({
      type: 'paused',
      trialId,
      sweepId,
      attempt,
      rung: trial.rung,
      at: now().toISOString(),
      epochs: [...history],
    });
  if (deps.shouldStop()) return requeue(job, deps, 'worker shutting down before the trial started');

  const backend = await deps.backend();
  await deps.publish({
    type: 'started',
    trialId,
    sweepId,
    attempt,
    worker: deps.workerId,
    backend: backend.name,
    device: backend.device,
    at: now().toISOString(),
  });
  const finished = (status: 'completed' | 'failed' | 'diverged', error?: string): FinishedEvent => ({
    type: 'finished',
    trialId,
    sweepId,
    attempt,
    status,
    ...(error === undefined ? {} : { error }),
    at: now().toISOString(),
  });
  const finish = (status: 'completed' | 'failed' | 'diverged', error?: string) =>
    deps.publish(finished(status, error));

  let resumedFrom = 0;
  let trained = 0;
  let cancelled = false;
  let lost = false;
  let reachedRung = false;
  try {
    let resume: TrainerCheckpoint | undefined = await deps.checkpoints.load(trialId);
    if (resume !== undefined) {
      resumedFrom = resume.epoch;
      // The run that wrote the checkpoint may have died before publishing its last epoch: replay them
      // all (idempotent upserts; the newest attempt's copy of a row wins).
      await deps.publishAll(
        resume.history.map((result) => ({ type: 'epoch', trialId, sweepId, attempt, result })),
      );
      await job.log(
        `attempt ${attempt} on ${deps.workerId}: resuming after epoch ${resume.epoch} from its checkpoint`,
      );
      if (resume.epoch >= untilEpoch && untilEpoch < epochs) {
        // This stage was trained already (its pause was lost with Redis, or the sweep was cancelled
        // at the rung): report the pause again, train nothing.
        await pause(resume.history);
        return { status: 'paused', attempt, trainedEpochs: 0, resumedFrom };
      }
    }
    await job.updateProgress({ stage: 'loading', attempt, epoch: resumedFrom, epochs, resumedFrom });
    const dataset = await deps.dataset(config);
    const train = (from: TrainerCheckpoint | undefined) =>
      trainTrial({
        config,
        dataset,
        backend: backend.name,
        resume: from,
        shouldStop: () => cancelled || lost || reachedRung || deps.shouldStop(),
        onEpoch: async (result, capture) => {
          // Asked while the checkpoint is captured (one Redis round trip, hidden behind the capture).
          const [owned, checkpoint] = await Promise.all([deps.ownsJob?.() ?? true, capture()]);
          if (!owned) {
            lost = true;
            return;
          }
          // Checkpoint first: an epoch published but not checkpointed would be trained (and sent) twice.
          await deps.checkpoints.save(trialId, checkpoint);
          // Asked again once the checkpoint is on disk: a run that took the trial over meanwhile (Redis
          // flushed and the sweep resumed, or a stall) may have loaded the checkpoint before this save
          // and be training this epoch again. Owned now means no other run has started since, so the
          // next one resumes after this epoch and publishing it records it exactly once.
          if (!(await (deps.ownsJob?.() ?? true))) {
            lost = true;
            return;
          }
          await deps.publish({ type: 'epoch', trialId, sweepId, attempt, result });
          trained += 1;
          reachedRung = result.epoch >= untilEpoch && untilEpoch < epochs;
          // Independent of each other: one wait instead of three. After the last epoch a cancel would
          // change nothing (the trial completes), so Redis is not asked.
          const [cancelledNow] = await Promise.all([
            result.epoch < epochs ? deps.isCancelled() : false,
            job.log(
              `attempt ${attempt} on ${deps.workerId}: trained epoch ${result.epoch}/${epochs} ` +
                `(test accuracy ${result.testAccuracy.toFixed(4)}, ${result.seconds.toFixed(2)} s)`,
            ),
            job.updateProgress({
              stage: 'training',
              attempt,
              epoch: result.epoch,
              epochs,
              resumedFrom,
              testAccuracy: result.testAccuracy,
              trainLoss: result.trainLoss,
            }),
          ]);
          cancelled = cancelledNow;
        },
      });
    let outcome: Awaited<ReturnType<typeof trainTrial>>;
    try {
      outcome = await train(resume);
    } catch (error) {
      // A checkpoint that does not fit the model (written by an older build) is useless: start over.
      if (resume === undefined || !isCheckpointMismatch(error)) throw error;
      await job.log(
        `attempt ${attempt}: checkpoint unusable (${describeError(error)}); starting from epoch 1`,
      );
      await deps.checkpoints.remove(trialId);
      resume = undefined;
      resumedFrom = 0;
      outcome = await train(undefined);
    }
    if (lost) {
      // Someone else owns the trial now (or will, after `sweep resume`): leave the job, the checkpoint
      // and the trial's status to them; the epoch just trained was not recorded.
      try {
        await job.log(
          `attempt ${attempt} on ${deps.workerId}: the job is no longer ours (Redis lost it or another ` +
            'worker took it over); stopped without recording the epoch it had just trained',
        );
      } catch {
        // The job may be gone: there is nowhere to log to.
      }
      throw new WaitingError();
    }
    if (!outcome.finished && cancelled) {
      // The sweep was cancelled: PostgreSQL already says so; the job ends without a `finished` event.
      // The checkpoint stays: a cancel stops the spending, not the work done, so `sweep resume`
      // continues after this epoch instead of training the trial again from epoch 1.
      await job.log(
        `attempt ${attempt}: trial cancelled; stopped after epoch ${outcome.epochs.at(-1)?.epoch ?? 0} ` +
          '(checkpoint kept for `sweep resume`)',
      );
      return { status: 'cancelled', attempt, trainedEpochs: trained, resumedFrom };
    }
    if (!outcome.finished && reachedRung) {
      // The checkpoint stays: a promotion continues from it.
      await pause(outcome.epochs);
      await job.log(
        `attempt ${attempt}: reached rung ${trial.rung} at epoch ${untilEpoch}; waiting for its decision`,
      );
      return { status: 'paused', attempt, trainedEpochs: trained, resumedFrom };
    }
    if (!outcome.finished) {
      return requeue(
        job,
        deps,
        `worker shutting down: stopped after epoch ${outcome.epochs.at(-1)?.epoch ?? 0}`,
      );
    }
    // `finished` carries every epoch (restored and trained): the aggregator writes them in the
    // transaction that marks the trial completed, so epoch events that Redis lost before they were
    // written (flushed, failed over) cannot leave a completed trial with a hole.
    await deps.publish({ ...finished('completed'), epochs: outcome.epochs });
    if (deps.checkpoints.removesCompleted === 'worker') await deps.checkpoints.remove(trialId);
    return { status: 'completed', attempt, trainedEpochs: trained, resumedFrom };
  } catch (error) {
    if (error instanceof WaitingError) throw error;
    const message = describeError(error);
    if (isDivergence(error)) {
      await finish('diverged', message);
      await deps.checkpoints.remove(trialId);
      await job.log(`attempt ${attempt}: ${message}`);
      return { status: 'diverged', attempt, trainedEpochs: trained, resumedFrom };
    }
    if (isNonRetryable(error)) {
      await finish('failed', message);
      await deps.checkpoints.remove(trialId);
      // Decided here, in the sandboxed child where the error's class is known; what crosses to the
      // parent is only this error's JSON, and BullMQ there stops retrying by the name 'UnrecoverableError'.
      throw new UnrecoverableError(message);
    }
    // Only the last attempt reports `failed`: a retry follows otherwise. The checkpoint stays, so a
    // `sweep resume` continues where this left off.
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await finish('failed', message);
    throw error;
  }
}

async function requeue(job: TrialJobHandle, deps: TrialRunnerDeps, why: string): Promise<never> {
  await job.log(`${why}; back in the queue`);
  await deps.requeue();
  // Tells BullMQ the job was moved on purpose: not failed, no attempt used.
  throw new WaitingError();
}

/** Marks the trial failed when the payload at least names a trial (else nothing can be recorded). */
async function publishInvalidJob(
  job: TrialJobHandle,
  deps: TrialRunnerDeps,
  error: string,
  now: () => Date,
): Promise<void> {
  const data = (job.data ?? {}) as { sweepId?: unknown; trialId?: unknown; attemptsBefore?: unknown };
  const sweepId = EntityId.safeParse(data.sweepId);
  const trialId = EntityId.safeParse(data.trialId);
  if (!sweepId.success || !trialId.success) return;
  const before =
    typeof data.attemptsBefore === 'number' && Number.isInteger(data.attemptsBefore)
      ? data.attemptsBefore
      : 0;
  await deps.publish({
    type: 'finished',
    sweepId: sweepId.data,
    trialId: trialId.data,
    attempt: attemptOf(job, Math.max(0, before)),
    status: 'failed',
    error,
    at: now().toISOString(),
  });
}
