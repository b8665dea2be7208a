/**
 * How a failed trial is treated. Classified by `name` (not instanceof) because the errors come from
 * several packages and, across the sandbox boundary, only their names survive.
 */

/** Errors that say the trial's config can never work: retrying would fail the same way. */
const CONFIG_ERRORS = new Set([
  'InvalidJobError',
  'ResolutionTooSmallError',
  'InvalidArchitectureOptionError',
  'InvalidDatasetOptionError',
  'ZodError',
]);

/** Dataset options that describe this worker's set-up rather than the trial: another worker may have them. */
const WORKER_SETUP_FIELDS = new Set(['cifar10Dir', 'fashionMnistDir']);

export function isConfigError(error: unknown): boolean {
  if (!(error instanceof Error) || !CONFIG_ERRORS.has(error.name)) return false;
  const field = (error as { field?: unknown }).field;
  return !(typeof field === 'string' && WORKER_SETUP_FIELDS.has(field));
}

export function isDivergence(error: unknown): boolean {
  return error instanceof Error && error.name === 'TrialDivergedError';
}

export function isCheckpointMismatch(error: unknown): boolean {
  return error instanceof Error && error.name === 'CheckpointMismatchError';
}

/** One line for `finished.error` and logs (the event caps the text; stacks stay in BullMQ's job record). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2_000 ? `${text.slice(0, 1_997)}...` : text;
}
