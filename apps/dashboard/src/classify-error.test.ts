import { DatabaseUnreachableError, NotFoundError } from '@satfarm/db';
import { EpochNotStoredError } from '@satfarm/plot-data';
import { describe, expect, it } from 'vitest';
import { classifyError, INTERNAL_ERROR_MESSAGE } from './classify-error.ts';
import { BadRequestError } from './errors.ts';

describe('classifyError', () => {
  it('tells a reader nothing of an unexpected error: no path, no SQL, no stack', () => {
    const error = new Error(
      "ENOENT: no such file or directory, open '/opt/satfarm/apps/dashboard/src/static/x'",
    );
    error.stack = `${error.message}\n    at staticAsset (/opt/satfarm/apps/dashboard/src/static-assets.ts:17:5)`;
    for (const thrown of [error, new TypeError('Cannot read properties of undefined'), 'a string']) {
      const c = classifyError(thrown);
      expect(c.status).toBe(500);
      expect(c.message).toBe(INTERNAL_ERROR_MESSAGE);
    }
  });

  it('passes on the words of errors it expects', () => {
    const missing = classifyError(new NotFoundError('sweep', 'x', 'give a sweep id'));
    expect(missing.status).toBe(404);
    expect(missing.message).toContain('"x"');
    expect(classifyError(new EpochNotStoredError('abcdef0123', 9, [1, 2, 3]))).toMatchObject({
      status: 404,
      message: 'epoch: got 9; trial abcdef01 has no epoch 9 (its stored epochs are 1–3)',
    });
    expect(classifyError(new BadRequestError('page: got "0"')).status).toBe(400);
    expect(
      classifyError(new DatabaseUnreachableError('postgres://127.0.0.1/x', 'connection refused')),
    ).toMatchObject({ status: 503, databaseDown: true });
  });
});

describe('EpochNotStoredError', () => {
  it('names the epoch asked and the epochs there are', () => {
    expect(new EpochNotStoredError('abcdef0123', 9_999_999, [1, 2, 3]).message).toBe(
      'epoch: got 9999999; trial abcdef01 has no epoch 9999999 (its stored epochs are 1–3)',
    );
    expect(new EpochNotStoredError('abcdef0123', 2, [1]).message).toBe(
      'epoch: got 2; trial abcdef01 has no epoch 2 (its only stored epoch is 1)',
    );
    expect(new EpochNotStoredError('abcdef0123', 3, [1, 2, 4]).message).toContain(
      'its stored epochs are 1, 2, 4',
    );
    expect(new EpochNotStoredError('abcdef0123', 1, []).message).toBe(
      'epoch: got 1; trial abcdef01 has stored no epoch yet',
    );
  });
});
