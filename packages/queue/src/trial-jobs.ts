import type { TrialsQueue } from './trials-queue.ts';

/**
 * What the scheduler asks of and does to trial jobs, so that BullMQ's `Job` objects stay inside this
 * package: their states, removing one, and the `cancelled` flag a running trainer reads.
 */
export type TrialJobState = Awaited<ReturnType<TrialsQueue['getJobState']>>;

/** States in which the job will still run (or is running) without our help. */
export const LIVE_STATES: ReadonlySet<TrialJobState> = new Set<TrialJobState>([
  'active',
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
]);

/** `getJobState` for many job ids, a bounded number in flight (ioredis pipelines them). */
export async function trialJobStates(
  queue: TrialsQueue,
  jobIds: readonly string[],
): Promise<Map<string, TrialJobState>> {
  const states = new Map<string, TrialJobState>();
  for (let i = 0; i < jobIds.length; i += 200) {
    const chunk = jobIds.slice(i, i + 200);
    const found = await Promise.all(chunk.map((id) => queue.getJobState(id)));
    for (const [j, id] of chunk.entries()) states.set(id, found[j]!);
  }
  return states;
}

/**
 * Removes a job: `removed`, `missing` (there is none by that id), or `locked` when a worker holds it
 * (BullMQ refuses to remove an active job; the caller flags it instead).
 */
export async function removeTrialJob(
  queue: TrialsQueue,
  jobId: string,
): Promise<'removed' | 'missing' | 'locked'> {
  const job = await queue.getJob(jobId);
  if (job === undefined) return 'missing';
  try {
    await job.remove();
    return 'removed';
  } catch {
    return 'locked';
  }
}

/**
 * Sets the `cancelled` flag a running trainer polls after every epoch. Returns whether the job exists
 * and the flag changed. A job that ended meanwhile may refuse the update: nothing is left to tell then.
 */
export async function setTrialJobCancelled(
  queue: TrialsQueue,
  jobId: string,
  cancelled: boolean,
): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (job === undefined || (job.data.cancelled === true) === cancelled) return false;
  try {
    await job.updateData({ ...job.data, cancelled });
    return true;
  } catch {
    return false;
  }
}
