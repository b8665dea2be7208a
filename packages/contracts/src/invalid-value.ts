/**
 * A value outside what is valid, named with the field it came in and what would be valid. The
 * packages' own option errors extend it, so every one reads the same and carries the same fields.
 */
export class InvalidValueError extends Error {
  override readonly name: string = 'InvalidValueError';
  readonly field: string;
  readonly value: unknown;
  readonly valid: string;
  constructor(field: string, value: unknown, valid: string) {
    super(`Invalid ${field} '${String(value)}': expected ${valid}`);
    this.field = field;
    this.value = value;
    this.valid = valid;
  }
}
