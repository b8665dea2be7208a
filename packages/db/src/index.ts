export {
  type Pool,
  type PoolClient,
  type PoolOptions,
  type TransactionOptions,
  DEFAULT_DATABASE_URL,
  createPool,
  isTransientDatabaseError,
  withClient,
  withTransaction,
} from './connection.ts';
export {
  CHECKPOINT_CHUNK_BYTES,
  type CheckpointHeader,
  CheckpointStorageError,
  checkCheckpointTables,
  deleteCheckpoints,
  readCheckpointBytes,
  writeCheckpointBytes,
} from './checkpoint-rows.ts';
export { InvalidDatabaseUrlError, ensureDatabase, splitDatabaseUrl } from './ensure-database.ts';
export {
  AmbiguousIdError,
  DatabaseUnreachableError,
  type IdCandidate,
  IncompleteHistoryError,
  InvalidTrialsError,
  NotFoundError,
  ReadOnlyQueryError,
  SqlQueryError,
  SqlReaderUnavailableError,
} from './errors.ts';
export { type IngestResult, ingestEvents } from './ingest.ts';
export { type MigrateResult, MigrationOrderError, migrate, schemaFingerprint } from './migrate.ts';
export { MIGRATIONS } from './migrations/list.ts';
export type { Migration } from './migrations/migration.ts';
export {
  type ReadOnlySqlOptions,
  type SqlResult,
  type SqlRowSink,
  runReadOnlySql,
  streamReadOnlySql,
} from './read-only-sql.ts';
export { SQL_READER_ROLE, type SqlReaderSetup } from './sql-reader.ts';
export { redactUrl } from './redact-url.ts';
export {
  type BestResolution,
  type EpochRow,
  type LayerResolutionRow,
  type LayerRow,
  type ResolutionSummaryRow,
  type TrialResult,
  bestResolutions,
  findTrial,
  layerResolutionSummary,
  resolutionSummary,
  sweepResults,
  sweepTrialsPage,
  trialEpochs,
  trialLayers,
} from './results.ts';
export {
  FINAL_TRIAL_STATUSES,
  OPEN_TRIAL_STATUSES,
  SWEEP_STATUSES,
  type SweepStatus,
  TRIAL_STATUSES,
  type TrialStatus,
} from './statuses.ts';
export {
  type CancelResult,
  type CreateSweepResult,
  type NewTrial,
  type SweepProgress,
  type SweepRow,
  type UnfinishedTrial,
  completeTrialsWithAllEpochs,
  createSweep,
  findSweep,
  markSweepCancelled,
  markTrialsQueued,
  sweepStatus,
  unfinishedTrials,
} from './sweeps.ts';
export { type TrialState, applyStatusEvent } from './trial-transitions.ts';
export {
  RECOMMENDATION_SQL,
  type ResolutionRecommendationRow,
  recommendResolutions,
  resolutionTails,
  sweepVariants,
  type TailRow,
} from './recommendations.ts';
export {
  type ProductivityRow,
  type ProjectionResultRow,
  type ProjectionRow,
  type ReportTrialEpochRow,
  type ReportTrialLayerRow,
  type ReportTrialProjectionRow,
  type ReportTrialTimeRow,
  projectionResults,
  projectionSummary,
  reportEpochs,
  reportLayers,
  reportProjections,
  reportTrialTimes,
  saturationByProductivity,
} from './report-queries.ts';
export {
  decideDueRungs,
  type Promotion,
  takeDueDecisions,
} from './search-decisions.ts';
export { searchGroup, searchSignalSnapshots } from './search-signal-rows.ts';
export { type SearchCostRow, type SearchRungRow, searchCost, searchRungs } from './search-summary.ts';
