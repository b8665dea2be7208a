import type { Promotion } from '@satfarm/db';
import { enqueueTrials, type TrialsQueue } from '@satfarm/queue';

/**
 * Adds the jobs of search trials that a rung's decision promoted. Called after the decision's
 * transaction committed and before the results that led to it are acknowledged: if this fails, those
 * results are delivered again, the decision is found already taken, and the same promotions come back
 * to be added again. Each job's id names the trial and its stage, so adding one twice adds it once.
 */
export async function enqueuePromotions(queue: TrialsQueue, promotions: readonly Promotion[]): Promise<void> {
  const byAttempts = new Map<number, Promotion[]>();
  for (const p of promotions) byAttempts.set(p.attempts, [...(byAttempts.get(p.attempts) ?? []), p]);
  for (const [attempts, list] of byAttempts) {
    await enqueueTrials(
      queue,
      list.map((p) => ({
        sweepId: p.sweepId,
        trialId: p.trialId,
        config: p.config,
        attemptsBefore: p.attemptsBefore,
        rung: p.rung,
        untilEpoch: p.untilEpoch,
      })),
      { attempts },
    );
  }
}
