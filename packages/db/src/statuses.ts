export const SWEEP_STATUSES = ['running', 'completed', 'cancelled'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/**
 * `paused`: a trial of a successive-halving search reached its rung and waits for the rung's decision;
 * `pruned`: the decision stopped it (its rows stay, see search_decisions for why).
 */
export const TRIAL_STATUSES = [
  'queued',
  'running',
  'paused',
  'completed',
  'pruned',
  'failed',
  'diverged',
  'cancelled',
] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

/** Trials still to be worked on: while a sweep has any, it is not complete. */
export const OPEN_TRIAL_STATUSES = ['queued', 'running', 'paused'] as const satisfies readonly TrialStatus[];

/** Statuses no event can leave (`failed` is final too, except for a newer attempt). */
export const FINAL_TRIAL_STATUSES = [
  'completed',
  'pruned',
  'diverged',
  'cancelled',
] as const satisfies readonly TrialStatus[];
