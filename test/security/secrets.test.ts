/**
 * A password in DATABASE_URL or REDIS_URL never reaches output or errors: connection failures provoked
 * for every command that connects (closed ports, a wrong password, malformed URLs), and the redaction
 * functions themselves over URL shapes that once leaked.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactUrl } from '@satfarm/db';
import type { TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { InvalidRedisUrlError, redactRedisUrl, redisConnectionOptions } from '@satfarm/queue';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { satfarm, TEST_REDIS_URL } from '../bad-input/satfarm-cli.ts';
import { type PasswordRedis, startPasswordRedis } from '../support/password-redis.ts';

const SECRET = 's3cretpw';
const PG_CLOSED = `postgres://u:${SECRET}@127.0.0.1:1/x`;
const REDIS_CLOSED = `redis://:${SECRET}@127.0.0.1:1`;

let dir: string;
let specFile: string;
/** A live Redis that wants a password other than SECRET. */
let locked: PasswordRedis;
beforeAll(async () => {
  locked = await startPasswordRedis('the-right-one');
  dir = await mkdtemp(join(tmpdir(), 'satfarm-secrets-'));
  specFile = join(dir, 'spec.yaml');
  await writeFile(
    specFile,
    'name: secrets\ndataset: { name: synthetic }\ngrid: { architecture: [simple-cnn], resolution: [16] }\n' +
      'training: { epochs: 1, batchSize: 32 }\n',
  );
});
afterAll(async () => {
  await locked?.stop();
  await rm(dir, { recursive: true, force: true });
});

const pgDown = () => ({ DATABASE_URL: PG_CLOSED, REDIS_URL: TEST_REDIS_URL });
const redisDown = (db: TestDatabase) => ({ DATABASE_URL: db.url, REDIS_URL: REDIS_CLOSED });
const lockedRedis = (url: (port: number) => string) => (db: TestDatabase) => ({
  DATABASE_URL: db.url,
  REDIS_URL: url(locked.port),
});
const REFUSED = (url: string) =>
  new RegExp(
    `^satfarm: Redis at ${url} refused the password \\(WRONGPASS [^)]*\\): check REDIS_URL, as redis://`,
    'm',
  );

/** [command, environment, the service the error must name] */
const CASES: [string, () => string[], (db: TestDatabase) => Record<string, string>, RegExp][] = [
  ['sql', () => ['sql', 'SELECT 1'], pgDown, /PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/],
  ['results', () => ['results', 'some-sweep'], pgDown, /PostgreSQL at postgres:\/\/u:\*\*\*@/],
  ['best', () => ['best', 'some-sweep'], pgDown, /PostgreSQL at postgres:\/\/u:\*\*\*@/],
  ['db migrate', () => ['db', 'migrate'], pgDown, /PostgreSQL at postgres:\/\/u:\*\*\*@/],
  [
    'sweep create (PostgreSQL down)',
    () => ['sweep', 'create', specFile],
    pgDown,
    /PostgreSQL at postgres:\/\/u:\*\*\*@/,
  ],
  [
    'sweep create (Redis down)',
    () => ['sweep', 'create', specFile],
    redisDown,
    /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
  ],
  [
    'sweep resume (Redis down)',
    () => ['sweep', 'resume', 'some-sweep'],
    redisDown,
    /Redis at redis:\/\/:\*\*\*@/,
  ],
  ['worker', () => ['worker'], redisDown, /Redis at redis:\/\/:\*\*\*@/],
  ['aggregator (Redis down)', () => ['aggregator'], redisDown, /Redis at redis:\/\/:\*\*\*@/],
  ['aggregator (PostgreSQL down)', () => ['aggregator'], pgDown, /PostgreSQL at postgres:\/\/u:\*\*\*@/],
  ['demo (Redis down)', () => ['demo'], redisDown, /Redis at redis:\/\/:\*\*\*@/],
  ['demo (PostgreSQL down)', () => ['demo'], pgDown, /PostgreSQL at postgres:\/\/u:\*\*\*@/],
  [
    'sql with a wrong password on a live server',
    () => ['sql', 'SELECT 1'],
    () => ({ DATABASE_URL: `postgres://satfarm_no_such_role:${SECRET}@127.0.0.1:5432/postgres` }),
    /PostgreSQL at postgres:\/\/satfarm_no_such_role:\*\*\*@127\.0\.0\.1:5432\/postgres/,
  ],
  [
    'sweep status with a password a live Redis does not need',
    () => ['sweep', 'status', 'some-sweep'],
    (db) => ({ DATABASE_URL: db.url, REDIS_URL: `redis://:${SECRET}@127.0.0.1:6379/11` }),
    /no sweep matches "some-sweep"/,
  ],
  [
    'sql with a password in the query string',
    () => ['sql', 'SELECT 1'],
    () => ({ DATABASE_URL: `postgres://u@127.0.0.1:1/x?password=${SECRET}` }),
    /PostgreSQL at postgres:\/\/u@127\.0\.0\.1:1\/x\?password=\*\*\*/,
  ],
  [
    'sql with a URL missing its scheme',
    () => ['sql', 'SELECT 1'],
    () => ({ DATABASE_URL: `u:${SECRET}@127.0.0.1` }),
    /PostgreSQL at \(a connection string that is not a postgres:\/\/ URL\)/,
  ],
  [
    'worker with a URL missing its scheme',
    () => ['worker'],
    () => ({ REDIS_URL: `u:${SECRET}@127.0.0.1` }),
    /invalid Redis URL '\*\*\*@127\.0\.0\.1'/,
  ],
  [
    'worker with an unescaped / in the password',
    () => ['worker'],
    () => ({ REDIS_URL: `redis://:${SECRET}/x@127.0.0.1:1` }),
    /invalid Redis URL 'redis:\/\/\*\*\*@127\.0\.0\.1:1'/,
  ],
  [
    'sweep status with the password in the query string (Redis down)',
    () => ['sweep', 'status', 'some-sweep'],
    (db) => ({ DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:1/13?password=${SECRET}` }),
    /cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/13\?password=\*\*\* within/,
  ],
  [
    'worker with the password in the query string of a malformed URL',
    () => ['worker'],
    () => ({ REDIS_URL: `redis://127.0.0.1:notaport/13?password=${SECRET}` }),
    /invalid Redis URL 'redis:\/\/127\.0\.0\.1:notaport\/13\?password=\*\*\*'/,
  ],
  [
    'sweep status with a wrong password on a live Redis',
    () => ['sweep', 'status', 'some-sweep'],
    lockedRedis((port) => `redis://:${SECRET}@127.0.0.1:${port}/13`),
    REFUSED('redis://:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/13'),
  ],
  [
    'worker with a wrong ?password= on a live Redis',
    () => ['worker'],
    lockedRedis((port) => `redis://127.0.0.1:${port}/13?password=${SECRET}`),
    REFUSED('redis://127\\.0\\.0\\.1:\\d+/13\\?password=\\*\\*\\*'),
  ],
  [
    'aggregator with no password on a live Redis that wants one',
    () => ['aggregator'],
    lockedRedis((port) => `redis://127.0.0.1:${port}/13`),
    /^satfarm: Redis at redis:\/\/127\.0\.0\.1:\d+\/13 requires a password \(NOAUTH [^)]*\): put it in REDIS_URL/m,
  ],
];

describe('passwords in connection URLs', () => {
  it.concurrent.for(CASES)('never show up: %s', async ([_, args, env, names], { db }) => {
    const run = await satfarm(args(), env(db), { timeoutMs: 30_000 });
    expect(run.timedOut).toBe(false);
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}\n${run.stderr}`).not.toContain(SECRET);
    expect(run.stderr).toMatch(names);
  });
});

describe('URL redaction', () => {
  const postgresUrls = [
    `postgres://u:${SECRET}@db.example:5432/satfarm`,
    `postgresql://u:${SECRET}@db.example/satfarm?sslmode=require`,
    `postgres://u@db.example/satfarm?password=${SECRET}`,
    `postgres://u:${SECRET}@db.example:notaport/satfarm`,
    `postgres://u:${SECRET}/x@db.example/satfarm`,
    `u:${SECRET}@db.example`,
    `//u:${SECRET}@db.example/satfarm`,
    `mysql://u:${SECRET}@db.example/satfarm`,
  ];
  it.each(postgresUrls)('hides the password of %s', (url) => {
    expect(redactUrl(url)).not.toContain(SECRET);
  });

  const redisUrls = [
    `redis://u:${SECRET}@cache.example:6380/2`,
    `rediss://:${SECRET}@cache.example`,
    `redis://${SECRET}@cache.example`,
    `redis://:${SECRET}/x@cache.example:1`,
    `redis://:${SECRET}#x@cache.example:1`,
    `redis://:${SECRET}@cache.example:notaport`,
    `redis://cache.example:6380/2?password=${SECRET}`,
    `redis://cache.example:6380/2?db=2&PASSWORD=${SECRET}`,
    `redis://cache.example:notaport/2?password=${SECRET}`,
    `http://cache.example/?password=${SECRET}`,
    `u:${SECRET}@cache.example`,
    `http://u:${SECRET}@cache.example`,
  ];
  it.each(redisUrls)('hides the password of %s, in errors too', (url) => {
    expect(redactRedisUrl(url)).not.toContain(SECRET);
    let error: unknown;
    try {
      redisConnectionOptions(url);
    } catch (caught) {
      error = caught;
    }
    if (error !== undefined) {
      expect(error).toBeInstanceOf(InvalidRedisUrlError);
      expect((error as InvalidRedisUrlError).message).not.toContain(SECRET);
      expect((error as InvalidRedisUrlError).url).not.toContain(SECRET);
    }
  });
});
