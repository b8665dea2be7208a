import { describe, expect, it } from 'vitest';
import { redactRedisUrl } from './redis-url.ts';

describe('redactRedisUrl', () => {
  it('hides a password and keeps everything else', () => {
    expect(redactRedisUrl('redis://user:s3cret@cache.local:6380/2')).toBe(
      'redis://user:***@cache.local:6380/2',
    );
  });
  it('hides a password given in the username slot', () => {
    expect(redactRedisUrl('redis://s3cret@cache.local')).toBe('redis://***@cache.local');
  });
  it('leaves a URL without credentials alone', () => {
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
  it('hides a password given as ?password= (and any parameter named like a secret)', () => {
    expect(redactRedisUrl('redis://127.0.0.1:6999/13?password=s3cretpw')).toBe(
      'redis://127.0.0.1:6999/13?password=***',
    );
    expect(redactRedisUrl('redis://h/1?family=6&authToken=t0k&Password=pw')).toBe(
      'redis://h/1?family=6&authToken=***&Password=***',
    );
  });
  it('hides ?password= in something that does not parse as a URL', () => {
    expect(redactRedisUrl('redis://h:notaport/1?db=1&password=s3cret#x')).toBe(
      'redis://h:notaport/1?db=1&password=***#x',
    );
    expect(redactRedisUrl('u:pw@h?password=s3cret')).toBe('***@h?password=***');
  });
  it('hides credentials even in something that is not a URL', () => {
    expect(redactRedisUrl('//user:pw@host with spaces')).not.toContain('pw');
  });
});
