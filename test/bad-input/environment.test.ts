/**
 * A broken environment: Redis or PostgreSQL unreachable (closed ports), a database that does not exist,
 * malformed URLs, a checkpoint directory that cannot be created. Each command fails fast with one line
 * naming the service or path and how to fix it, and leaves nothing half-written.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  CLOSED_DATABASE_URL,
  CLOSED_REDIS_URL,
  openTrialJobs,
  refusal,
  satfarm,
  TEST_REDIS_URL,
} from './satfarm-cli.ts';

const SPEC = `name: environment
dataset: { name: synthetic, trainLimit: 64, testLimit: 32 }
grid: { architecture: [simple-cnn], resolution: [16], seed: [1, 2] }
training: { epochs: 1, batchSize: 32 }
`;

let dir: string;
let specFile: string;
let jobs: ReturnType<typeof openTrialJobs>;
let jobsBefore: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-bad-env-'));
  specFile = join(dir, 'spec.yaml');
  await writeFile(specFile, SPEC);
  await writeFile(join(dir, 'a-file'), 'not a directory');
  jobs = openTrialJobs();
  jobsBefore = await jobs.count();
});
afterAll(async () => {
  await jobs?.close();
  await rm(dir, { recursive: true, force: true });
});

const REDIS_DOWN =
  /^satfarm: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 within 3000 ms: .*point REDIS_URL at a running server\.$/m;
const POSTGRES_DOWN =
  /^satfarm: cannot connect to PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/\w+: connect ECONNREFUSED 127\.0\.0\.1:1; start PostgreSQL/m;

/** The test's databases: `db` migrated, `emptyDb` one `satfarm db migrate` never ran on. */
type Databases = { db: TestDatabase; emptyDb: TestDatabase };
type Case = [string, () => string[], (databases: Databases) => Record<string, string>, RegExp];

/** Paths under /proc: they cannot be created, and must not be tried forever. */
const PROC_CASES: Case[] = [
  [
    'a worker whose CHECKPOINT_DIR is under /proc',
    () => ['worker'],
    () => ({
      REDIS_URL: TEST_REDIS_URL,
      CHECKPOINT_STORE: 'file',
      CHECKPOINT_DIR: '/proc/satfarm-checkpoints',
    }),
    /^satfarm: checkpoint directory '\/proc\/satfarm-checkpoints' is not usable: creating the directory failed \(ENOENT\); point CHECKPOINT_DIR at a directory/m,
  ],
  [
    'a report whose --out is under /proc',
    () => ['report', 'some-sweep', '--out', '/proc/satfarm-report.md'],
    () => ({}),
    /^satfarm: --out: cannot create the picture folder "\/proc\/satfarm-report" \(ENOENT: no such file or directory, mkdir '\/proc\/satfarm-report'\); give a path in a directory you can write$/m,
  ],
];

/** [what is broken, the command, its environment (beyond closed defaults), the expected line] */
const CASES: Case[] = [
  [
    'sweep create with Redis down',
    () => ['sweep', 'create', specFile],
    ({ db }) => ({ DATABASE_URL: db.url, REDIS_URL: CLOSED_REDIS_URL }),
    REDIS_DOWN,
  ],
  [
    'sweep create with PostgreSQL down',
    () => ['sweep', 'create', specFile],
    () => ({ DATABASE_URL: CLOSED_DATABASE_URL, REDIS_URL: TEST_REDIS_URL }),
    POSTGRES_DOWN,
  ],
  [
    'sweep create against a database that does not exist',
    () => ['sweep', 'create', specFile],
    () => ({
      DATABASE_URL: 'postgres://127.0.0.1:5432/satfarm_no_such_database',
      REDIS_URL: TEST_REDIS_URL,
    }),
    /database "satfarm_no_such_database" does not exist; create it with `satfarm db migrate`/,
  ],
  ['results with PostgreSQL down', () => ['results', 'some-sweep'], () => ({}), POSTGRES_DOWN],
  [
    'db migrate with PostgreSQL down',
    () => ['db', 'migrate'],
    () => ({}),
    /cannot connect to PostgreSQL at postgres:\/\/127\.0\.0\.1:1\//,
  ],
  [
    'sweep status with Redis down',
    () => ['sweep', 'status', 'some-sweep'],
    ({ db }) => ({ DATABASE_URL: db.url }),
    REDIS_DOWN,
  ],
  ['a worker with Redis down', () => ['worker'], () => ({}), REDIS_DOWN],
  // The default checkpoint store is the farm's PostgreSQL: a worker checks it before taking trials.
  ['a worker with PostgreSQL down', () => ['worker'], () => ({ REDIS_URL: TEST_REDIS_URL }), POSTGRES_DOWN],
  [
    'a worker whose database was never migrated (no checkpoint tables)',
    () => ['worker'],
    ({ emptyDb }) => ({ REDIS_URL: TEST_REDIS_URL, DATABASE_URL: emptyDb.url }),
    /^satfarm: the database has no checkpoint tables: run `satfarm db migrate` against DATABASE_URL first/m,
  ],
  [
    'a CHECKPOINT_STORE that is neither postgres nor file:',
    () => ['worker'],
    () => ({ REDIS_URL: TEST_REDIS_URL, CHECKPOINT_STORE: 's3://bucket' }),
    /^satfarm: invalid worker options: checkpointStore: expected 'postgres' \(checkpoints in DATABASE_URL's database\) or 'file:\/a\/dir'/m,
  ],
  [
    'a worker whose CHECKPOINT_DIR cannot be created',
    () => ['worker'],
    () => ({
      REDIS_URL: TEST_REDIS_URL,
      CHECKPOINT_STORE: `file:${join(dir, 'a-file', 'checkpoints')}`,
    }),
    /^satfarm: checkpoint directory '.*a-file\/checkpoints' is not usable: creating the directory failed \(ENOTDIR\); point CHECKPOINT_DIR at a directory/m,
  ],
  // Node's recursive mkdir loops forever on these (procfs answers ENOENT under a directory that exists).
  ...(existsSync('/proc/self') ? PROC_CASES : []),
  [
    'an aggregator with PostgreSQL down',
    () => ['aggregator'],
    () => ({ REDIS_URL: TEST_REDIS_URL }),
    POSTGRES_DOWN,
  ],
  [
    'a DATABASE_URL that is not a URL',
    () => ['sql', 'SELECT 1'],
    () => ({ DATABASE_URL: 'not a url' }),
    /cannot connect to PostgreSQL at \(a connection string that is not a valid URL\)/,
  ],
  [
    'a REDIS_URL of the wrong scheme',
    () => ['worker'],
    () => ({ REDIS_URL: 'http://127.0.0.1:6379' }),
    /^satfarm: invalid Redis URL 'http:\/\/127\.0\.0\.1:6379': scheme 'http:' is not redis: or rediss:/m,
  ],
];

describe('satfarm in a broken environment', () => {
  it.concurrent.for(CASES)('fails fast: %s', async ([_, args, env, expected], { db, emptyDb }) => {
    // Long-running commands (worker, aggregator) must exit on their own: 30 s is far beyond any timeout.
    const run = await satfarm(args(), env({ db, emptyDb }), { timeoutMs: 30_000 });
    expect(refusal(run).why).toBe('');
    expect(run.stderr).toMatch(expected);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('left no sweep, trial or job behind', async ({ db }) => {
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM sweeps) + (SELECT count(*) FROM trials) AS n',
    );
    expect(Number(rows[0]!.n)).toBe(0);
    expect(await jobs.count()).toBe(jobsBefore);
  });
});
