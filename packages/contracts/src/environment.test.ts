import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECKPOINT_DIR, InvalidEnvironmentError, parseEnvironment } from './environment.ts';

describe('parseEnvironment', () => {
  it('fills in its own defaults and leaves the owners’ defaults to them', () => {
    const env = parseEnvironment({ PATH: '/bin' });
    expect(env.CHECKPOINT_DIR).toBe(DEFAULT_CHECKPOINT_DIR);
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.CHECKPOINT_STORE).toBeUndefined();
  });

  it('names the variable that holds an unusable value', () => {
    expect(() => parseEnvironment({ REDIS_URL: '' })).toThrow(InvalidEnvironmentError);
    expect(() => parseEnvironment({ REDIS_URL: '' })).toThrow(/^environment variable REDIS_URL: /);
  });
});
