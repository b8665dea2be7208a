export const SWEEP_STATUSES = ['running', 'completed', 'cancelled'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

export const TRIAL_STATUSES = ['queued', 'running', 'completed', 'failed', 'diverged', 'cancelled'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

/** Trials still to be worked on: while a sweep has any, it is not complete. */
export const OPEN_TRIAL_STATUSES = ['queued', 'running'] as const satisfies readonly TrialStatus[];

/** Statuses no event can leave (`failed` is final too, except for a newer attempt). */
export const FINAL_TRIAL_STATUSES = [
  'completed',
  'diverged',
  'cancelled',
] as const satisfies readonly TrialStatus[];
