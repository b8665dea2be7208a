export { parseWorkerArgs, type WorkerEnv } from './cli-args.ts';
export { parseGpuList } from './gpu-list.ts';
export { UnknownGpuError } from './gpu-pinning.ts';
export {
  type ActiveBackendInfo,
  attemptOf,
  runTrialJob,
  type TrialJobHandle,
  type TrialJobOutcome,
  type TrialProgress,
  type TrialRunnerDeps,
} from './run-trial-job.ts';
export { startWorker, type WorkerHandle } from './start-worker.ts';
export {
  type CompiledWorkerOptions,
  compileWorkerOptions,
  InvalidWorkerOptionError,
  type WorkerOptions,
} from './worker-options.ts';
export { WorkerUsageError } from './worker-usage-error.ts';
