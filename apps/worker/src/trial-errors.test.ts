import { InvalidValueError } from '@satfarm/contracts';
import { DatasetNotFoundError, InvalidDatasetOptionError } from '@satfarm/data';
import { InvalidArchitectureOptionError, ResolutionTooSmallError } from '@satfarm/models';
import { InvalidJobError } from '@satfarm/queue';
import { CheckpointMismatchError, TrialDivergedError } from '@satfarm/training';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isCheckpointMismatch, isDivergence, isNonRetryable } from './trial-errors.ts';

describe('retry rules', () => {
  it.each([
    ['a resolution too small', new ResolutionTooSmallError('vgg11', 8, 32)],
    ['an invalid job payload', new InvalidJobError('trials', 'abc', 'config: required')],
    ['an architecture option', new InvalidArchitectureOptionError('depth', 0, 'an integer >= 1')],
    ['a dataset option of the trial', new InvalidDatasetOptionError('trainLimit', -1, 'a positive integer')],
    ['any invalid value', new InvalidValueError('delta', 2, 'a number in (0, 1)')],
    ['a schema rejection', z.object({ a: z.number() }).safeParse({}).error],
    ['a divergence', new TrialDivergedError(1, 2, 'NaN loss')],
  ])('never retries %s', (_what, error) => {
    expect(isNonRetryable(error)).toBe(true);
  });

  it.each([
    [
      'a dataset directory this worker lacks',
      new InvalidDatasetOptionError('cifar10Dir', undefined, 'a dir'),
    ],
    ['a missing dataset file', new DatasetNotFoundError('/x', 'is missing', 'download it')],
    ['a plain error', new Error('ECONNRESET')],
    // Only the class counts: a name alone (what crosses a process boundary) decides nothing here.
    [
      'an error that only bears a config error name',
      Object.assign(new Error('x'), { name: 'InvalidJobError' }),
    ],
  ])('retries %s', (_what, error) => {
    expect(isNonRetryable(error)).toBe(false);
  });

  it('tells divergence and checkpoint mismatches apart', () => {
    expect(isDivergence(new TrialDivergedError(1, 2, 'NaN loss'))).toBe(true);
    expect(isDivergence(new ResolutionTooSmallError('vgg11', 8, 32))).toBe(false);
    expect(isCheckpointMismatch(new CheckpointMismatchError('shape'))).toBe(true);
    expect(isCheckpointMismatch(new Error('shape'))).toBe(false);
  });

  it('keeps the messages of the errors that joined InvalidValueError', () => {
    const small = new ResolutionTooSmallError('vgg11', 8, 32);
    expect(small.message).toBe(
      'resolution 8 is too small for vgg11: its feature maps would shrink below 1×1; the smallest valid resolution is 32',
    );
    expect(small).toMatchObject({ name: 'ResolutionTooSmallError', field: 'resolution', value: 8 });
    expect(new InvalidJobError('trials', undefined, 'bad').message).toBe('invalid trials job: bad');
  });
});
