// Pure architecture graphs only: the tfjs builder is `@satfarm/models/builder`, so tools that only
// describe architectures (rf, sweep validation, recommendations) start without loading TensorFlow.js.
export {
  type ArchitectureConfig,
  architectureOptionsOf,
  DATASET_INPUT_SHAPES,
  type InputShape,
} from './architecture-options.ts';
export { describeArchitecture, minimumResolution } from './describe.ts';
export { InvalidArchitectureOptionError, ResolutionTooSmallError } from './errors.ts';
export type {
  ArchitectureGraph,
  DescribeOptions,
  LayerKind,
  LayerSpec,
  ShapeOptions,
} from './layer-graph.ts';
export { analyzeReceptiveFields, type LayerReceptiveField } from './receptive-field.ts';
export { smallestProductiveResolution } from './productive-resolution.ts';
