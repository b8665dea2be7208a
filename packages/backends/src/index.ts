export type { ActiveBackend, BackendChoice, BackendName, SelectBackendOptions } from './active-backend.ts';
export { BACKEND_CHOICES } from './active-backend.ts';
export { selectBackend } from './select-backend.ts';
export { registerWasmTrainingKernels } from './register-wasm-training-kernels.ts';
export { useWebgpuFilterGrad, type WebgpuFilterGrad } from './webgpu-kernel-choice.ts';
export { planTiledFilterGrad, type TiledFilterGradPlan } from './webgpu-filter-grad-tiled.ts';
export {
  forceConvGradPath,
  getConvGradStats,
  resetConvGradStats,
  type ConvGradPath,
  type ConvGradStats,
} from './conv-grad-paths.ts';
export { setFastPathMemoryLimit } from './wasm-scope.ts';
export {
  BackendUnavailableError,
  FastPathRefusedError,
  InvalidBackendOptionError,
  UnknownBackendError,
  UnsupportedConvGradError,
  WasmOutOfMemoryError,
} from './errors.ts';
export { FusedAdamOptimizer, FusedMomentumOptimizer } from './webgpu-fused-optimizer.ts';
