/**
 * `satfarm sql` cannot write: writes, DDL, COPY (to and from files and programs), data-modifying CTEs,
 * tricks that try to leave the read-only transaction, and a DO block that takes a superuser's role
 * back to run a program — all refused with one line, exit 1, the tables unchanged.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createSweep, type Pool, runReadOnlySql } from '@satfarm/db';
import { it } from '@satfarm/db/vitest';
import { parseSweepSpec } from '@satfarm/contracts';
import { describe, expect } from 'vitest';
import { refusal, satfarm } from '../bad-input/satfarm-cli.ts';

const MARKER = join(tmpdir(), `satfarm-sql-must-not-exist-${process.pid}`);

let before: string;

/** Every row of the tables a write would touch, as one string. */
const snapshot = async (pool: Pool) =>
  (
    await pool.query<{ s: string }>(
      `SELECT (SELECT coalesce(string_agg(t::text, '|' ORDER BY id), '') FROM sweeps t) ||
              (SELECT coalesce(string_agg(t::text, '|' ORDER BY id), '') FROM trials t) AS s`,
    )
  ).rows[0]!.s;

it.beforeAll(async ({ db }) => {
  const spec = parseSweepSpec({
    name: 'read-only',
    dataset: { name: 'synthetic' },
    grid: { architecture: ['simple-cnn'], resolution: [16], seed: [1, 2, 3] },
    training: { epochs: 1, batchSize: 32 },
  });
  await createSweep(db.pool, spec);
  before = await snapshot(db.pool);
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

/**
 * Statements written to slip past a keyword check: PostgreSQL ends a `--` comment at a carriage return
 * as well as a newline, and takes form feeds and nested block comments as space. Each runs through the
 * CLI on the default connection, a superuser here (trust auth), and must leave no trace.
 */
const DISGUISED: [string, string, RegExp][] = [
  [
    'a DO block behind a comment ended by \\r (the red-team statement)',
    ` -- x\rDO $$BEGIN RESET ROLE; COPY (SELECT 1) TO PROGRAM 'touch ${MARKER}'; END$$`,
    /refused: .*DO is not a query/,
  ],
  ['COMMIT behind a comment ended by \\r', '--\rCOMMIT', /refused: .*COMMIT is not a query/],
  ['SET ROLE behind \\r\\n and a tab', `-- a\r\n\tSET ROLE postgres`, /refused: .*SET is not a query/],
  ['NOTIFY behind a form feed', '\fNOTIFY satfarm', /refused: .*NOTIFY is not a query/],
  [
    'DO behind nested block comments and parentheses',
    `/* a /* b */ c */(\f DO $$BEGIN PERFORM 1; END$$`,
    /refused: .*DO is not a query/,
  ],
  [
    'lower-case copy after a \\r-ended comment',
    `--\rcopy sweeps to program 'touch ${MARKER}'`,
    /COPY is not a query/,
  ],
];

/**
 * SELECTs that pass every keyword check and would reach the server's files or become another role on
 * a superuser's connection: the login satfarm sql uses must make each fail with a permission error.
 */
const BEYOND_THE_ROLE: [string, string, RegExp][] = [
  [
    'taking a superuser role back',
    `SELECT set_config('role', 'postgres', true)`,
    /permission denied to set role/,
  ],
  [
    'reading a server file',
    `SELECT pg_read_file('/etc/passwd')`,
    /permission denied for function pg_read_file/,
  ],
  [
    'taking a role inside query_to_xml, then reading a file',
    `SELECT query_to_xml('SELECT set_config(''role'', ''postgres'', true), pg_read_file(''/etc/passwd'')', true, false, '')`,
    /permission denied/,
  ],
  ['password hashes', 'SELECT rolname, rolpassword FROM pg_authid', /permission denied for table pg_authid/],
  [
    'its own stored login',
    'SELECT * FROM satfarm_private.sql_reader',
    /permission denied for schema satfarm_private/,
  ],
  ['a server file as a large object', `SELECT lo_import('/etc/passwd')`, /permission denied|read-only/],
];

describe('satfarm sql', () => {
  it("runs as the read-only role satfarm_sql, not as DATABASE_URL's superuser", async ({ db }) => {
    const superuser = await db.pool.query<{ rolsuper: boolean }>(
      'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
    );
    expect(superuser.rows[0]?.rolsuper).toBe(true); // the premise: the default login could do anything
    const run = await satfarm(['sql', 'SELECT session_user, current_user', '--json'], {
      DATABASE_URL: db.url,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).rows).toEqual([['satfarm_sql', 'satfarm_sql']]);
  });

  it.concurrent.for(DISGUISED)('refuses %s (through the CLI)', async ([_, statement, expected], { db }) => {
    // `--` ends the options, as a user would type it for a statement that starts with a comment.
    const run = await satfarm(['sql', '--', statement], { DATABASE_URL: db.url });
    expect(refusal(run).why).toBe('');
    expect(run.stderr).toMatch(expected);
    expect(await snapshot(db.pool)).toBe(before);
  });

  it.concurrent.for(BEYOND_THE_ROLE)(
    'cannot reach %s (through the CLI)',
    async ([_, statement, expected], { db }) => {
      const run = await satfarm(['sql', statement], { DATABASE_URL: db.url });
      expect(refusal(run).why).toBe('');
      expect(run.stderr).toMatch(expected);
      expect(run.stdout).not.toMatch(/root:|SCRAM-SHA-256|md5/);
    },
  );

  it('refuses a DATABASE_READER_URL that can become a superuser', async ({ db }) => {
    const run = await satfarm(['sql', 'SELECT 1'], { DATABASE_URL: db.url, DATABASE_READER_URL: db.url });
    expect(refusal(run).why).toBe('');
    expect(run.stderr).toMatch(/refusing to run statements as "\w+" .*can become .*(superuser|pg_)/);
  });

  it('answers a plain query', async ({ db }) => {
    const run = await satfarm(['sql', 'SELECT count(*) AS n FROM trials', '--json'], {
      DATABASE_URL: db.url,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ columns: ['n'], rows: [['3']] });
  });

  it.concurrent.for(CASES.filter(([what]) => THROUGH_THE_CLI.has(what)))(
    'refuses %s (through the CLI) and changes nothing',
    async ([_, statement, expected], { db }) => {
      const run = await satfarm(['sql', statement], { DATABASE_URL: db.url });
      expect(refusal(run).why).toBe('');
      expect(run.stderr).toMatch(expected);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(await snapshot(db.pool)).toBe(before);
    },
  );

  it.for(CASES.filter(([what]) => !THROUGH_THE_CLI.has(what)))(
    'refuses %s and changes nothing',
    async ([_, statement, expected], { db }) => {
      const error = await runReadOnlySql(db.url, statement).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(expected);
      expect(await snapshot(db.pool)).toBe(before);
    },
  );

  it('ran no program on the server', () => {
    expect(existsSync(MARKER)).toBe(false);
  });
});
