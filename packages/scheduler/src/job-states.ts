import type { TrialsQueue } from '@satfarm/queue';

export type TrialJobState = Awaited<ReturnType<TrialsQueue['getJobState']>>;

/** `getJobState` for many ids, a bounded number in flight (ioredis pipelines them). */
export async function jobStates(
  queue: TrialsQueue,
  ids: readonly string[],
): Promise<Map<string, TrialJobState>> {
  const states = new Map<string, TrialJobState>();
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const found = await Promise.all(chunk.map((id) => queue.getJobState(id)));
    for (const [j, id] of chunk.entries()) states.set(id, found[j]!);
  }
  return states;
}

/** States in which the job will still run (or is running) without our help. */
export const LIVE_STATES: ReadonlySet<TrialJobState> = new Set<TrialJobState>([
  'active',
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
]);
