export { deviceMoments, momentTensors, spatialStride, type DeviceMoments } from './batch-moments.ts';
export { CheckpointMismatchError, TrialDivergedError } from './errors.ts';
export { createOptimizer, disposeOptimizer } from './optimizer.ts';
export { prepareDataset, type DataDirectories } from './prepare-data.ts';
export { SaturationTracker, type LayerSaturation, type Mode } from './saturation-tracker.ts';
export {
  trainTrial,
  type BatchProgress,
  type TrainTrialOptions,
  type TrainTrialResult,
} from './train-trial.ts';
export { captureCheckpoint, restoreCheckpoint, serializeTensor } from './trainer-checkpoint.ts';
export {
  type ChannelProjection,
  forwardWithProjections,
  type LayerWalk,
  planWalk,
  type Projections,
  scoreVariants,
} from './forward-with-projections.ts';
export {
  DEFAULT_PROJECTION_DELTAS,
  evaluateProjections,
  type LayerStatistics,
  type LayerToProject,
  layersToProject,
} from './projection-eval.ts';
export {
  type ActivityCounter,
  type ActivityCounts,
  countActivity,
  perStep,
  type StepActivity,
  stepWindow,
  type Transfers,
} from './step-counters.ts';
