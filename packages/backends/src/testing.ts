/*
 * Helpers for tests that run on these backends (here and in the packages that train on them): the
 * WebGPU probe and the comparisons with tfjs's cpu reference backend.
 */
export { onBackend, relativeError, seeded } from './backend-comparison.ts';
export { makeOptimizer, type OptimizerFlavour, type OptimizerKind } from './compared-optimizers.ts';
export { webgpuUnavailable } from './webgpu-probe.ts';
