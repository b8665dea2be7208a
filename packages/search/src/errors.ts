import { InvalidValueError } from '@satfarm/contracts';

/**
 * A search input that cannot be scored or replayed (an accuracy outside 0..1, a history with a gap, a
 * reduction factor below 2, …). Names the field, the value and what is valid, like every satfarm
 * option error, and is never retried.
 */
export class InvalidSearchInputError extends InvalidValueError {
  override readonly name = 'InvalidSearchInputError';
}
