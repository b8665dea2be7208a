export {
  type CancelOutcome,
  type CreateSweepOutcome,
  cancelSweep,
  createSweepFromSpec,
  type ResumeOutcome,
  resumeSweep,
  type SchedulerContext,
  type SweepProgressReport,
  sweepProgress,
} from './sweeps.ts';
export { InvalidSweepTrialsError, type TrialProblem, validateTrials } from './validate-trials.ts';
export {
  DEFAULT_TOLERANCE,
  type Recommendation,
  recommendResolution,
  SEARCH_DECISIONS_SQL,
  type SearchOutcome,
} from './recommend.ts';
