import { describe, expect, it } from 'vitest';
import { hasTransientNetworkCode } from './network-errors.ts';

const withCode = (code: unknown) => Object.assign(new Error('socket trouble'), { code });

describe('hasTransientNetworkCode', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND'])(
    'is true for %s',
    (code) => {
      expect(hasTransientNetworkCode(withCode(code))).toBe(true);
    },
  );

  it('is false for other codes, no code, and things that are not errors', () => {
    for (const error of [
      withCode('EACCES'),
      withCode('28P01'),
      withCode(111),
      new Error('x'),
      null,
      'ECONNRESET',
    ]) {
      expect(hasTransientNetworkCode(error)).toBe(false);
    }
  });
});
