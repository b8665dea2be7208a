export { type BuiltModel, buildModel } from './build-model.ts';
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
