import { NonRetryableError } from '@satfarm/contracts';
/**
 * The loss or a tracked layer's activations became NaN or infinite: the trial is recorded as
 * `diverged`, never retried.
 */
export class TrialDivergedError extends NonRetryableError {
  override readonly name = 'TrialDivergedError';
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly what: string,
  ) {
    super(`training diverged: ${what} at epoch ${epoch}, batch ${batch} (try a smaller learningRate)`);
  }
}

/** A checkpoint does not fit the trial it is being restored into. */
export class CheckpointMismatchError extends Error {
  override readonly name = 'CheckpointMismatchError';
}
