import { describe, expect, it } from 'vitest';
import { redisConnectionOptions } from './connection.ts';
import { InvalidRedisUrlError } from './errors.ts';

describe('redisConnectionOptions', () => {
  it('reads host, port, database and credentials', () => {
    const o = redisConnectionOptions('redis://farm:p%40ss@redis.example:6380/3');
    expect(o).toMatchObject({ host: 'redis.example', port: 6380, db: 3, username: 'farm', password: 'p@ss' });
    expect(o.tls).toBeUndefined();
  });
  it('takes a lone userinfo as the password (redis://secret@host)', () => {
    const o = redisConnectionOptions('redis://secret@h');
    expect(o.password).toBe('secret');
    expect(o.username).toBeUndefined();
    expect(o.port).toBe(6379);
    expect(o.db).toBe(0);
  });
  it('reads ?password= (and &username=) as ioredis does; userinfo wins', () => {
    expect(redisConnectionOptions('redis://h/2?password=p%26w')).toMatchObject({ db: 2, password: 'p&w' });
    expect(redisConnectionOptions('redis://h?username=farm&password=pw')).toMatchObject({
      username: 'farm',
      password: 'pw',
    });
    expect(redisConnectionOptions('redis://:mine@h?password=other').password).toBe('mine');
    expect(redisConnectionOptions('redis://h?username=farm').username).toBeUndefined();
  });
  it('turns on TLS for rediss://', () => {
    expect(redisConnectionOptions('rediss://h:1').tls).toEqual({});
  });
  it('gives workers maxRetriesPerRequest null and producers a limit', () => {
    expect(redisConnectionOptions('redis://h', { worker: true }).maxRetriesPerRequest).toBeNull();
    expect(redisConnectionOptions('redis://h').maxRetriesPerRequest).toBe(20);
  });
  it('rejects other schemes and bad database numbers, hiding the password', () => {
    expect(() => redisConnectionOptions('http://h')).toThrow(InvalidRedisUrlError);
    expect(() => redisConnectionOptions('redis://u:pw@h/x')).toThrow(/database 'x'/);
    expect(() => redisConnectionOptions('redis://u:pw@h/x')).not.toThrow(/pw/);
  });
});
