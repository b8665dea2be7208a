export { ARCHITECTURES, ArchitectureName, ArchitectureOptions } from './architecture.ts';
export {
  BACKENDS,
  BackendName,
  DATASETS,
  DatasetConfig,
  DatasetName,
  KRule,
  SaturationConfig,
  TrainingConfig,
  TrialConfig,
  type TrialConfigInput,
} from './trial-config.ts';
export { EpochResult, LayerEpochResult, LayerKind, ModeSaturation } from './epoch-result.ts';
