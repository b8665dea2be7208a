export { InvalidSearchInputError } from './errors.ts';
export {
  DEFAULT_TOLERANCE,
  type GridChoice,
  gridChoice,
  meanAccuracies,
  type ResolutionAccuracy,
} from './grid.ts';
export { renderReplayMarkdown, renderSignalMarkdown } from './markdown.ts';
export {
  type ReplayGroup,
  type ReplayOptions,
  type ReplayReport,
  type ReplayRung,
  replaySearch,
} from './replay.ts';
export { decideRung, type RungDecision, type RungOptions, rungEpochs } from './rungs.ts';
// The rule names are part of the sweep spec (search.rankBy), so they live in @satfarm/contracts.
export { RANK_RULES, type RankRule } from '@satfarm/contracts';
export {
  type SaturationPattern,
  saturationPattern,
  type TrialSnapshot,
  trialScore,
} from './scores.ts';
export {
  type RuleAtEpoch,
  type RuleSummary,
  type SignalEpoch,
  type SignalGroup,
  type SignalReport,
  searchSignal,
} from './signal.ts';
export { averageRanks, spearman } from './spearman.ts';
