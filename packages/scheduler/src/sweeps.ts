import {
  epochBudget,
  expandSweep,
  type SweepSpec,
  sweepIdFor,
  type TrialConfig,
  trialIdFor,
} from '@satfarm/contracts';
import {
  completeTrialsWithAllEpochs,
  createSweep,
  findSweep,
  markSweepCancelled,
  markTrialsQueued,
  type Pool,
  type SweepProgress,
  sweepStatus,
  takeDueDecisions,
  type UnfinishedTrial,
  unfinishedTrials,
} from '@satfarm/db';
import {
  enqueueTrials,
  LIVE_STATES,
  removeTrialJob,
  setTrialJobCancelled,
  type TrialJobInput,
  type TrialsQueue,
  trialJobId,
  trialJobStates,
} from '@satfarm/queue';
import { validateTrials } from './validate-trials.ts';

export interface SchedulerContext {
  pool: Pool;
  trialsQueue: TrialsQueue;
  /** First retry delay of a failed trial (default 5 s, doubling). */
  backoffMs?: number | undefined;
}

export interface CreateSweepOutcome {
  sweepId: string;
  /** False when this spec's sweep already existed (same spec = same sweep). */
  created: boolean;
  /** Trials in the sweep. */
  trials: number;
  /** Trials written by this call. */
  newTrials: number;
  /** Jobs added to the queue by this call (new trials, or queued trials whose job was lost). */
  enqueued: number;
}

/** Runs of a trial before it is recorded as failed. */
function attemptsOf(spec: SweepSpec): number {
  return spec.retries + 1;
}

/** A trial's job for the stage it is in: a search stage stops at its rung's epoch. */
function jobFor(
  spec: SweepSpec,
  sweepId: string,
  trial: { id: string; config: TrialConfig; attempts?: number; searchRung?: number },
): TrialJobInput {
  const rung = trial.searchRung ?? 0;
  const until = epochBudget(spec.search, spec.training.epochs, rung);
  return {
    sweepId,
    trialId: trial.id,
    config: trial.config,
    attemptsBefore: trial.attempts ?? 0,
    rung,
    ...(until < spec.training.epochs ? { untilEpoch: until } : {}),
  };
}

/** The queue job id of a trial's current stage. */
function jobIdOf(trial: { id: string; searchRung: number }): string {
  return trialJobId(trial.id, trial.searchRung);
}

/**
 * Expands and validates a parsed spec (every trial must fit its architecture, or nothing is written),
 * writes the sweep and its trials to PostgreSQL, then enqueues the new trials. Creating the same spec
 * again writes nothing and adds no job, except for `queued` trials whose job is missing (a crash between
 * the write and the enqueue): those are enqueued again.
 */
export async function createSweepFromSpec(
  ctx: SchedulerContext & { spec: SweepSpec },
): Promise<CreateSweepOutcome> {
  const { pool, trialsQueue, spec } = ctx;
  const sweepId = sweepIdFor(spec);
  const configs = expandSweep(spec);
  validateTrials(configs);
  const trials = configs.map((config) => ({ id: trialIdFor(sweepId, config), config }));
  const written = await createSweep(pool, spec, trials);
  const byId = new Map(trials.map((t) => [t.id, t]));
  let toEnqueue: TrialJobInput[] = written.newTrialIds.map((id) => jobFor(spec, sweepId, byId.get(id)!));
  if (!written.created) {
    const queued = (await unfinishedTrials(pool, sweepId)).filter((t) => t.status === 'queued');
    const states = await trialJobStates(trialsQueue, queued.map(jobIdOf));
    toEnqueue = queued
      .filter((t) => !LIVE_STATES.has(states.get(jobIdOf(t)) ?? 'unknown'))
      .map((t) => jobFor(spec, sweepId, t));
  }
  await removeStaleJobs(
    trialsQueue,
    toEnqueue.map((t) => trialJobId(t.trialId, t.rung)),
  );
  await enqueueTrials(trialsQueue, toEnqueue, { attempts: attemptsOf(spec), backoffMs: ctx.backoffMs });
  return {
    sweepId,
    created: written.created,
    trials: trials.length,
    newTrials: written.newTrialIds.length,
    enqueued: toEnqueue.length,
  };
}

export interface ResumeOutcome {
  sweepId: string;
  /** Trials whose epoch rows were all in PostgreSQL already: marked completed, not trained again. */
  completedFromRows: number;
  /** Trials given a fresh job (theirs was missing, failed or completed without a recorded result). */
  requeued: number;
  /** Trials whose job was still waiting or delayed: left as they are. */
  alreadyQueued: number;
  /** Trials a worker is running right now: left alone. */
  running: number;
}

/**
 * Re-enqueues every unfinished trial from PostgreSQL (queued, running, failed, cancelled): after Redis
 * lost its data, after trials failed for good, or after a cancel. Jobs still alive in Redis are kept;
 * stale failed/completed jobs with the trial's id are removed first so the id can be added again. The new
 * job continues attempt numbering from the trial's stored attempts, and the worker resumes from its
 * checkpoint when there is one.
 */
export async function resumeSweep(ctx: SchedulerContext & { sweep: string }): Promise<ResumeOutcome> {
  const { pool, trialsQueue } = ctx;
  const sweep = await findSweep(pool, ctx.sweep);
  const completedFromRows = await completeTrialsWithAllEpochs(pool, sweep.id);
  // A search's rung decision whose trigger was lost (or that a cancel held back) is taken now; its
  // promoted trials are queued and get their jobs below with the others.
  await takeDueDecisions(pool, sweep.id);
  const trials = await unfinishedTrials(pool, sweep.id);
  const states = await trialJobStates(trialsQueue, trials.map(jobIdOf));
  const running: UnfinishedTrial[] = [];
  const waiting: UnfinishedTrial[] = [];
  const stale: UnfinishedTrial[] = [];
  for (const trial of trials) {
    const state = states.get(jobIdOf(trial)) ?? 'unknown';
    if (state === 'active') running.push(trial);
    else if (LIVE_STATES.has(state)) waiting.push(trial);
    else stale.push(trial);
  }
  // A cancel may have flagged running jobs to stop: they are wanted again.
  const revived: UnfinishedTrial[] = [];
  for (const trial of running) {
    if (await setTrialJobCancelled(trialsQueue, jobIdOf(trial), false)) revived.push(trial);
  }
  const fresh: UnfinishedTrial[] = [];
  for (const trial of stale) {
    if (
      states.get(jobIdOf(trial)) !== 'unknown' &&
      (await removeTrialJob(trialsQueue, jobIdOf(trial))) === 'locked'
    ) {
      // It became active (locked) in the meantime: a worker has it.
      running.push(trial);
      continue;
    }
    fresh.push(trial);
  }
  // Status first: a worker may pick the job up (and report `started`) the moment it is added.
  await markTrialsQueued(
    pool,
    [...waiting, ...revived, ...fresh].map((t) => t.id),
  );
  await enqueueTrials(
    trialsQueue,
    fresh.map((t) => jobFor(sweep.spec, sweep.id, t)),
    { attempts: attemptsOf(sweep.spec), backoffMs: ctx.backoffMs },
  );
  return {
    sweepId: sweep.id,
    completedFromRows: completedFromRows.length,
    requeued: fresh.length,
    alreadyQueued: waiting.length,
    running: running.length,
  };
}

export interface CancelOutcome {
  sweepId: string;
  status: string;
  /** Trials marked cancelled. */
  cancelledTrials: number;
  /** Their jobs removed from the queue before any worker took them. */
  removedJobs: number;
  /** Trials a worker is training: flagged, they stop after their current epoch. */
  stillRunning: number;
}

/**
 * Cancels a sweep in PostgreSQL and removes its waiting jobs. Running jobs cannot be removed (a worker
 * holds their lock): they are flagged, and their trainer stops after its current epoch.
 */
export async function cancelSweep(ctx: SchedulerContext & { sweep: string }): Promise<CancelOutcome> {
  const { pool, trialsQueue } = ctx;
  const sweep = await findSweep(pool, ctx.sweep);
  const result = await markSweepCancelled(pool, sweep.id);
  const jobIds = result.cancelledTrials.map(jobIdOf);
  const states = await trialJobStates(trialsQueue, jobIds);
  let removedJobs = 0;
  let stillRunning = 0;
  for (const id of jobIds) {
    const state = states.get(id);
    if (state === undefined || !LIVE_STATES.has(state)) continue;
    const removed = state === 'active' ? 'locked' : await removeTrialJob(trialsQueue, id);
    if (removed === 'missing') continue;
    if (removed === 'removed') {
      removedJobs += 1;
      continue;
    }
    // Active (or became active meanwhile): tell the trainer instead.
    await setTrialJobCancelled(trialsQueue, id, true);
    stillRunning += 1;
  }
  return {
    sweepId: sweep.id,
    status: result.status,
    cancelledTrials: result.cancelledTrialIds.length,
    removedJobs,
    stillRunning,
  };
}

export interface SweepProgressReport extends SweepProgress {
  /** Whole-queue job counts (all sweeps share the queue). */
  queue: { waiting: number; active: number; delayed: number; failed: number };
}

/** The sweep's trial counts from PostgreSQL plus the trials queue's job counts. */
export async function sweepProgress(ctx: SchedulerContext & { sweep: string }): Promise<SweepProgressReport> {
  const sweep = await findSweep(ctx.pool, ctx.sweep);
  const [progress, counts] = await Promise.all([
    sweepStatus(ctx.pool, sweep.id),
    ctx.trialsQueue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
  ]);
  return {
    ...progress,
    queue: {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    },
  };
}

/**
 * PostgreSQL says these trials still have to run, so a finished (completed or failed) job under one of
 * their job ids is left over from an earlier database (e.g. the database was recreated while Redis kept its
 * jobs). BullMQ would silently ignore a new job with that id and the trial would wait forever: remove it.
 */
async function removeStaleJobs(trialsQueue: TrialsQueue, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const states = await trialJobStates(trialsQueue, ids);
  for (const id of ids) {
    const state = states.get(id) ?? 'unknown';
    if (state === 'unknown' || LIVE_STATES.has(state)) continue;
    await removeTrialJob(trialsQueue, id);
  }
}
