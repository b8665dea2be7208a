/**
 * Base of the errors that retrying cannot fix: the same input fails the same way on any worker, at any
 * time. Pure (no bullmq here): at the BullMQ edge the trainer turns one into BullMQ's
 * `UnrecoverableError`, the only thing BullMQ honours to stop retrying (see the worker's
 * `trial-errors.ts`).
 */
export class NonRetryableError extends Error {
  override readonly name: string = 'NonRetryableError';
}

/**
 * A value outside what is valid, named with the field it came in and what would be valid. Every
 * invalid-config error extends it (the packages' option errors, a resolution too small for its
 * architecture, a job payload that does not match its schema), so every one carries the same fields
 * and none is retried. `message` replaces the usual `Invalid <field> '<value>': expected <valid>` for
 * an error that says more in its own words.
 */
export class InvalidValueError extends NonRetryableError {
  override readonly name: string = 'InvalidValueError';
  readonly field: string;
  readonly value: unknown;
  readonly valid: string;
  constructor(field: string, value: unknown, valid: string, message?: string) {
    super(message ?? `Invalid ${field} '${String(value)}': expected ${valid}`);
    this.field = field;
    this.value = value;
    this.valid = valid;
  }
}
