/** A bad command-line flag of the worker: the message names the flag, the value and what is valid. */
export class WorkerUsageError extends Error {
  override readonly name = 'WorkerUsageError';
}
