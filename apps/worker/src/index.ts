export { parseWorkerArgs, type WorkerEnv, WorkerUsageError } from './cli-args.ts';
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
