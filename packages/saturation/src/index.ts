export { InvalidArgumentError, ShapeMismatchError, UnknownLayerInputError } from './errors.ts';
export { type RfInfo, type RfNode, receptiveFields, unproductiveLayers } from './receptive-field.ts';
export {
  type BatchMoments,
  batchMoments,
  CovarianceAccumulator,
  type CovarianceState,
} from './covariance.ts';
export { type Eigen, symmetricEigen, symmetricEigenvalues } from './eigen.ts';
export {
  DEFAULT_DELTA,
  type KRule,
  kForDelta,
  type SaturationOptions,
  type SaturationResult,
  type SaturationSummary,
  saturationFromEigenvalues,
  saturationOf,
} from './saturation.ts';
export { basisProjection, projectionMatrix, projectRows } from './projection.ts';
export { controlSeed, mulberry32, randomOrthonormalBasis } from './random-basis.ts';
export { networkTailLength, tailLength, type TailOptions } from './tail.ts';
