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

/** One run of a trial job: what it was given and what it has done so far. */
interface TrialRun {
  job: TrialJobHandle;
  deps: TrialRunnerDeps;
  trial: TrialJob;
  attempt: number;
  epochs: number;
  /** The epoch this stage ends at: its rung's in a search, else the last. */
  untilEpoch: number;
  now: () => Date;
  resumedFrom: number;
  /** Epochs trained by this run (not those restored from a checkpoint). */
  trained: number;
  /** Set between epochs: `sweep cancel`, the job lost to another run, the stage's rung reached. */
  cancelled: boolean;
  lost: boolean;
  reachedRung: boolean;
}

/**
 * One trial job, start to end: validate → `started` → restore the checkpoint (replaying its epochs'
 * events) → train, checkpointing and publishing every epoch → `finished` (or, for a search stage that
 * reached its rung, `paused`). Throws UnrecoverableError for a config that can never work, WaitingError
 * after requeueing on shutdown, anything else to retry.
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
  const epochs = trial.config.training.epochs;
  const run: TrialRun = {
    job,
    deps,
    trial,
    attempt: attemptOf(job, trial.attemptsBefore),
    epochs,
    // A search stage stops at its rung's epoch; a grid trial (or a last-rung survivor) trains them all.
    untilEpoch: Math.min(trial.untilEpoch ?? epochs, epochs),
    now,
    resumedFrom: 0,
    trained: 0,
    cancelled: false,
    lost: false,
    reachedRung: false,
  };
  if (deps.shouldStop()) return requeue(job, deps, 'worker shutting down before the trial started');

  const backend = await deps.backend();
  await deps.publish({
    type: 'started',
    trialId: trial.trialId,
    sweepId: trial.sweepId,
    attempt: run.attempt,
    worker: deps.workerId,
    backend: backend.name,
    device: backend.device,
    at: now().toISOString(),
  });
  try {
    let resume = await resumeFromCheckpoint(run);
    if (resume !== undefined && resume.epoch >= run.untilEpoch && run.untilEpoch < epochs) {
      // This stage was trained already (its pause was lost with Redis, or the sweep was cancelled at
      // the rung): report the pause again, train nothing.
      await publishPause(run, resume.history);
      return outcomeOf(run, 'paused');
    }
    await job.updateProgress({
      stage: 'loading',
      attempt: run.attempt,
      epoch: run.resumedFrom,
      epochs,
      resumedFrom: run.resumedFrom,
    });
    const dataset = await deps.dataset(trial.config);
    const train = (from: TrainerCheckpoint | undefined) =>
      trainTrial({
        config: trial.config,
        dataset,
        backend: backend.name,
        resume: from,
        shouldStop: () => run.cancelled || run.lost || run.reachedRung || deps.shouldStop(),
        onEpoch: (result, capture) => recordEpoch(run, result, capture),
      });
    let outcome: Awaited<ReturnType<typeof trainTrial>>;
    try {
      outcome = await train(resume);
    } catch (error) {
      // A checkpoint that does not fit the model (written by an older build) is useless: start over.
      if (resume === undefined || !isCheckpointMismatch(error)) throw error;
      await job.log(
        `attempt ${run.attempt}: checkpoint unusable (${describeError(error)}); starting from epoch 1`,
      );
      await deps.checkpoints.remove(trial.trialId);
      resume = undefined;
      run.resumedFrom = 0;
      outcome = await train(undefined);
    }
    return await endOfTraining(run, outcome);
  } catch (error) {
    return endOnError(run, error);
  }
}

/** Loads the trial's checkpoint, if any, and replays its epochs' events. */
async function resumeFromCheckpoint(run: TrialRun): Promise<TrainerCheckpoint | undefined> {
  const { deps, job, trial, attempt } = run;
  const resume = await deps.checkpoints.load(trial.trialId);
  if (resume === undefined) return undefined;
  run.resumedFrom = resume.epoch;
  // The run that wrote the checkpoint may have died before publishing its last epoch: replay them all
  // (idempotent upserts; the newest attempt's copy of a row wins).
  await deps.publishAll(
    resume.history.map((result) => ({
      type: 'epoch',
      trialId: trial.trialId,
      sweepId: trial.sweepId,
      attempt,
      result,
    })),
  );
  await job.log(
    `attempt ${attempt} on ${deps.workerId}: resuming after epoch ${resume.epoch} from its checkpoint`,
  );
  return resume;
}

/**
 * After every epoch: checkpoint, then publish, each only while the job is still this run's; then note
 * whether the stage reached its rung and whether the sweep was cancelled.
 */
async function recordEpoch(
  run: TrialRun,
  result: EpochResult,
  capture: () => Promise<TrainerCheckpoint>,
): Promise<void> {
  const { deps, job, trial, attempt, epochs } = run;
  // Asked while the checkpoint is captured (one Redis round trip, hidden behind the capture).
  const [owned, checkpoint] = await Promise.all([deps.ownsJob?.() ?? true, capture()]);
  if (!owned) {
    run.lost = true;
    return;
  }
  // Checkpoint first: an epoch published but not checkpointed would be trained (and sent) twice.
  await deps.checkpoints.save(trial.trialId, checkpoint);
  // Asked again once the checkpoint is on disk: a run that took the trial over meanwhile (Redis
  // flushed and the sweep resumed, or a stall) may have loaded the checkpoint before this save and be
  // training this epoch again. Owned now means no other run has started since, so the next one resumes
  // after this epoch and publishing it records it exactly once.
  if (!(await (deps.ownsJob?.() ?? true))) {
    run.lost = true;
    return;
  }
  await deps.publish({ type: 'epoch', trialId: trial.trialId, sweepId: trial.sweepId, attempt, result });
  run.trained += 1;
  run.reachedRung = result.epoch >= run.untilEpoch && run.untilEpoch < epochs;
  // Independent of each other: one wait instead of three. After the last epoch a cancel would change
  // nothing (the trial completes), so Redis is not asked.
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
      resumedFrom: run.resumedFrom,
      testAccuracy: result.testAccuracy,
      trainLoss: result.trainLoss,
    }),
  ]);
  run.cancelled = cancelledNow;
}

/** What a run that trained without throwing reports: lost, cancelled, paused, requeued or completed. */
async function endOfTraining(
  run: TrialRun,
  outcome: Awaited<ReturnType<typeof trainTrial>>,
): Promise<TrialJobOutcome> {
  const { deps, job, trial, attempt } = run;
  const lastEpoch = outcome.epochs.at(-1)?.epoch ?? 0;
  if (run.lost) {
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
  if (!outcome.finished && run.cancelled) {
    // The sweep was cancelled: PostgreSQL already says so; the job ends without a `finished` event.
    // The checkpoint stays: a cancel stops the spending, not the work done, so `sweep resume`
    // continues after this epoch instead of training the trial again from epoch 1.
    await job.log(
      `attempt ${attempt}: trial cancelled; stopped after epoch ${lastEpoch} (checkpoint kept for \`sweep resume\`)`,
    );
    return outcomeOf(run, 'cancelled');
  }
  if (!outcome.finished && run.reachedRung) {
    // The checkpoint stays: a promotion continues from it.
    await publishPause(run, outcome.epochs);
    await job.log(
      `attempt ${attempt}: reached rung ${trial.rung} at epoch ${run.untilEpoch}; waiting for its decision`,
    );
    return outcomeOf(run, 'paused');
  }
  if (!outcome.finished) {
    return requeue(job, deps, `worker shutting down: stopped after epoch ${lastEpoch}`);
  }
  // `finished` carries every epoch (restored and trained): the aggregator writes them in the
  // transaction that marks the trial completed, so epoch events that Redis lost before they were
  // written (flushed, failed over) cannot leave a completed trial with a hole.
  await publishFinished(run, 'completed', undefined, outcome.epochs);
  if (deps.checkpoints.removesCompleted === 'worker') await deps.checkpoints.remove(trial.trialId);
  return outcomeOf(run, 'completed');
}

/** A run that threw: divergence and configs that can never work end the trial; anything else retries. */
async function endOnError(run: TrialRun, error: unknown): Promise<TrialJobOutcome> {
  const { deps, job, trial, attempt } = run;
  if (error instanceof WaitingError) throw error;
  const message = describeError(error);
  if (isDivergence(error)) {
    await publishFinished(run, 'diverged', message);
    await deps.checkpoints.remove(trial.trialId);
    await job.log(`attempt ${attempt}: ${message}`);
    return outcomeOf(run, 'diverged');
  }
  if (isNonRetryable(error)) {
    await publishFinished(run, 'failed', message);
    await deps.checkpoints.remove(trial.trialId);
    // Decided here, in the sandboxed child where the error's class is known; what crosses to the
    // parent is only this error's JSON, and BullMQ there stops retrying by the name 'UnrecoverableError'.
    throw new UnrecoverableError(message);
  }
  // Only the last attempt reports `failed`: a retry follows otherwise. The checkpoint stays, so a
  // `sweep resume` continues where this left off.
  if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await publishFinished(run, 'failed', message);
  throw error;
}

function outcomeOf(run: TrialRun, status: TrialJobOutcome['status']): TrialJobOutcome {
  return { status, attempt: run.attempt, trainedEpochs: run.trained, resumedFrom: run.resumedFrom };
}

function publishFinished(
  run: TrialRun,
  status: 'completed' | 'failed' | 'diverged',
  error?: string,
  epochs?: readonly EpochResult[],
): Promise<void> {
  const event: FinishedEvent = {
    type: 'finished',
    trialId: run.trial.trialId,
    sweepId: run.trial.sweepId,
    attempt: run.attempt,
    status,
    ...(error === undefined ? {} : { error }),
    at: run.now().toISOString(),
    ...(epochs === undefined ? {} : { epochs: [...epochs] }),
  };
  return run.deps.publish(event);
}

/** The stage reached its rung: the trial waits for the rung's decision (history 1..epoch with it). */
function publishPause(run: TrialRun, history: readonly EpochResult[]): Promise<void> {
  return run.deps.publish({
    type: 'paused',
    trialId: run.trial.trialId,
    sweepId: run.trial.sweepId,
    attempt: run.attempt,
    rung: run.trial.rung,
    at: run.now().toISOString(),
    epochs: [...history],
  });
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
