import { NonRetryableError } from '@satfarm/contracts';
import { InvalidDatasetOptionError } from '@satfarm/data';
import { CheckpointMismatchError, TrialDivergedError } from '@satfarm/training';
import { ZodError } from 'zod';

/**
 * How a failed trial is treated, decided by class (instanceof). The decision is made where the error
 * is caught: `runTrialJob`, which runs inside BullMQ's sandboxed child process, in the same module
 * graph as the packages that threw, so the classes are intact there. What crosses to the parent is
 * not the error but BullMQ's serialization of whatever the processor throws (its own properties as
 * JSON: `name`, `message`, `stack`, fields; the class is lost and the parent rebuilds a plain `Error`).
 * So a decision is sent across only as an `UnrecoverableError`, which the parent's BullMQ recognizes
 * by its `name`; a subclass of it would arrive under its own name and be retried.
 *
 * Errors that retrying cannot fix extend `NonRetryableError` (@satfarm/contracts): every invalid
 * config is an `InvalidValueError` (option errors, `ResolutionTooSmallError`, `InvalidJobError`), and a
 * diverged trial is a `TrialDivergedError` (recorded as `diverged`, not failed).
 */

/** Dataset options that describe this worker's set-up rather than the trial: another worker may have them. */
const WORKER_SETUP_FIELDS = new Set(['cifar10Dir', 'fashionMnistDir']);

/**
 * Retrying cannot help: a `NonRetryableError` (an invalid config, a divergence) or a schema that
 * rejected the trial past `parseTrialJob`. The exception is a dataset directory this worker lacks:
 * that is its set-up, not the trial's, and another worker may have it.
 */
export function isNonRetryable(error: unknown): boolean {
  if (isWorkerSetupError(error)) return false;
  return error instanceof NonRetryableError || error instanceof ZodError;
}

/** Not retried, and recorded as `diverged` rather than failed (so asked before `isNonRetryable`). */
export function isDivergence(error: unknown): error is TrialDivergedError {
  return error instanceof TrialDivergedError;
}

/** Not retried as such either: the run drops the checkpoint and starts over. */
export function isCheckpointMismatch(error: unknown): error is CheckpointMismatchError {
  return error instanceof CheckpointMismatchError;
}

function isWorkerSetupError(error: unknown): boolean {
  return error instanceof InvalidDatasetOptionError && WORKER_SETUP_FIELDS.has(error.field);
}

/** One line for `finished.error` and logs (the event caps the text; stacks stay in BullMQ's job record). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2_000 ? `${text.slice(0, 1_997)}...` : text;
}
