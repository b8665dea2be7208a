/**
 * `satfarm sql` cannot write: writes, DDL, COPY (to and from files and programs), data-modifying CTEs,
 * tricks that try to leave the read-only transaction, and a DO block that takes a superuser's role
 * back to run a program — all refused with one line, exit 1, the tables unchanged.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createSweep, createTestDatabase, runReadOnlySql, type TestDatabase } from '@satfarm/db';
import { parseSweepSpec } from '@satfarm/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal, satfarm } from '../bad-input/satfarm-cli.ts';

const MARKER = join(tmpdir(), `satfarm-sql-must-not-exist-${process.pid}`);

let db: TestDatabase;
let before: string;

/** Every row of the tables a write would touch, as one string. */
const snapshot = async () =>
  (
    await db.pool.query<{ s: string }>(
      `SELECT (SELECT coalesce(string_agg(t::text, '|' ORDER BY id), '') FROM sweeps t) ||
              (SELECT coalesce(string_agg(t::text, '|' ORDER BY id), '') FROM trials t) AS s`,
    )
  ).rows[0]!.s;

beforeAll(async () => {
  db = await createTestDatabase();
  const spec = parseSweepSpec({
    name: 'read-only',
    dataset: { name: 'synthetic' },
    grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1, 2, 3] },
    training: { epochs: 1, batchSize: 32 },
  });
  await createSweep(db.pool, spec);
  before = await snapshot();
});
afterAll(async () => {
  await db?.drop();
});

/** [what it tries, the statement, what the refusal says] */
const CASES: [string, string, RegExp][] = [
  [
    'INSERT',
    `INSERT INTO sweeps (id, name, spec, trial_count) VALUES ('x', 'x', '{}', 0)`,
    /refused: .*cannot execute INSERT in a read-only transaction/,
  ],
  ['UPDATE', `UPDATE trials SET status = 'failed'`, /cannot execute UPDATE in a read-only transaction/],
  ['DELETE', 'DELETE FROM trials', /cannot execute DELETE in a read-only transaction/],
  ['DELETE behind a comment', '/* just a select */ DELETE FROM trials', /cannot execute DELETE/],
  ['DROP', 'DROP TABLE trials', /refused: .*DROP is not a query/],
  ['TRUNCATE', 'TRUNCATE trials CASCADE', /refused: .*TRUNCATE is not a query/],
  ['CREATE', 'CREATE TEMP TABLE scratch AS SELECT 1', /refused: .*CREATE is not a query/],
  ['COPY from a server file', `COPY sweeps FROM '/etc/hostname'`, /refused: .*COPY is not a query/],
  [
    'COPY to a server program',
    `COPY (SELECT 1) TO PROGRAM 'touch ${MARKER}'`,
    /refused: .*COPY is not a query/,
  ],
  [
    'a CTE with a write',
    'WITH gone AS (DELETE FROM trials RETURNING 1) SELECT count(*) FROM gone',
    /read-only \(cannot execute SELECT in a read-only transaction\)/,
  ],
  ['EXPLAIN ANALYZE of a write', 'EXPLAIN ANALYZE DELETE FROM trials', /cannot execute DELETE/],
  ['row locks', 'SELECT * FROM trials FOR UPDATE', /cannot execute SELECT FOR UPDATE in a read-only/],
  ['SET TRANSACTION READ WRITE', 'SET TRANSACTION READ WRITE', /refused: .*SET is not a query/],
  [
    'SET SESSION CHARACTERISTICS',
    'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE',
    /refused: .*SET is not a query/,
  ],
  [
    'set_config(transaction_read_only) inside a SELECT',
    `SELECT set_config('transaction_read_only', 'off', true)`,
    /transaction read-write mode must be set before any query/,
  ],
  ['COMMIT to leave the transaction', 'COMMIT', /refused: .*COMMIT is not a query/],
  ['BEGIN READ WRITE', 'BEGIN READ WRITE', /refused: .*BEGIN is not a query/],
  ['a second statement', 'SELECT 1; DELETE FROM trials', /one statement at a time/],
  [
    'a DO block that takes the role back and runs a program',
    `DO $$BEGIN EXECUTE 'RESET ROLE'; EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch ${MARKER}'''; END$$`,
    /refused: .*DO is not a query/,
  ],
  [
    'a DO block that writes',
    `DO $$BEGIN EXECUTE 'SET TRANSACTION READ WRITE'; DELETE FROM trials; END$$`,
    /refused: .*DO is not a query/,
  ],
];

/** Run through the real CLI; the rest go straight to `runReadOnlySql`, the function the CLI calls. */
const THROUGH_THE_CLI = new Set([
  'INSERT',
  'DROP',
  'COPY to a server program',
  'a CTE with a write',
  'SET TRANSACTION READ WRITE',
  'a DO block that takes the role back and runs a program',
]);

describe('satfarm sql', () => {
  it('answers a plain query', async () => {
    const run = await satfarm(['sql', 'SELECT count(*) AS n FROM trials', '--json'], {
      DATABASE_URL: db.url,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ columns: ['n'], rows: [['3']] });
  });

  it.concurrent.each(CASES.filter(([what]) => THROUGH_THE_CLI.has(what)))(
    'refuses %s (through the CLI) and changes nothing',
    async (_, statement, expected) => {
      const run = await satfarm(['sql', statement], { DATABASE_URL: db.url });
      expect(refusal(run).why).toBe('');
      expect(run.stderr).toMatch(expected);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(await snapshot()).toBe(before);
    },
  );

  it.each(CASES.filter(([what]) => !THROUGH_THE_CLI.has(what)))(
    'refuses %s and changes nothing',
    async (_, statement, expected) => {
      const error = await runReadOnlySql(db.pool, statement).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(expected);
      expect(await snapshot()).toBe(before);
    },
  );

  it('ran no program on the server', () => {
    expect(existsSync(MARKER)).toBe(false);
  });
});
