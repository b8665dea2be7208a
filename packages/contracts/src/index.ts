export { ARCHITECTURES, ArchitectureName, ArchitectureOptions } from './architecture.ts';
export {
  BACKENDS,
  BackendName,
  DATASETS,
  DatasetConfig,
  DatasetName,
  DEFAULT_DELTA,
  DEFAULT_PROJECTION_DELTAS,
  DEFAULT_SATURATION_CONFIG,
  KRule,
  PROJECTION_FITS,
  ProjectionConfig,
  ProjectionFit,
  SaturationConfig,
  TrainingConfig,
  TrialConfig,
  type TrialConfigInput,
} from './trial-config.ts';
export {
  EpochResult,
  LayerEpochResult,
  LayerKind,
  ModeSaturation,
  ProjectedLayer,
  ProjectionResult,
  ProjectionRow,
  ProjectionTest,
  randomControl,
} from './epoch-result.ts';
export { NotCanonicalError, canonicalJson, stableHash } from './canonical.ts';
export {
  GRID_KEYS,
  type GridKey,
  InvalidSpecError,
  MAX_GRID_VALUES,
  MAX_TRIALS_PER_SWEEP,
  SIMPLE_CNN_ONLY_KEYS,
  type SpecProblem,
  SweepGrid,
  SweepSpec,
  type SweepSpecInput,
  countTrials,
  expandSweep,
  parseSweepSpec,
  sweepIdFor,
  trialIdFor,
} from './sweep-spec.ts';
export {
  Attempt,
  EntityId,
  EpochEvent,
  FinishedEvent,
  PausedEvent,
  ResultEvent,
  StartedEvent,
  TRIAL_OUTCOMES,
  TrialOutcome,
} from './result-event.ts';
export { InvalidValueError, NonRetryableError } from './invalid-value.ts';
export type { ProjectionSummaryRow, TrialProjectionRow } from './projection-summary.ts';
export { type LogFields, type Logger, jsonLineLogger, noopLogger, withFields } from './logger.ts';
export { variantOf } from './variant.ts';
export { mulberry32 } from './random.ts';
export {
  DEFAULT_CHECKPOINT_DIR,
  DEFAULT_FASHION_MNIST_DIR,
  type EnvironmentSource,
  InvalidEnvironmentError,
  parseEnvironment,
  SatfarmEnvironment,
} from './environment.ts';
export {
  escapeControlCharacters,
  firstControlCharacter,
  PRINTABLE_TEXT_RULE,
  PrintableName,
} from './printable-text.ts';
export {
  DEFAULT_TOLERANCE,
  epochBudget,
  GridSearch,
  plannedSearchEpochs,
  RANK_RULES,
  RankRule,
  rungEpochs,
  SearchSpec,
  SuccessiveHalving,
} from './search-spec.ts';
export { hasTransientNetworkCode, TRANSIENT_NETWORK_CODES } from './network-errors.ts';
