import { describe, expect } from 'vitest';
import type { TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import {
  createSweep,
  ReadOnlyQueryError,
  runReadOnlySql,
  SqlQueryError,
  streamReadOnlySql,
} from '@satfarm/db';
import { smallSpec } from './fixtures.ts';

it.beforeAll(async ({ db }) => {
  await createSweep(db.pool, smallSpec({ name: `quote's; -- "sweep"` }));
});

const count = async (db: TestDatabase, table: string) =>
  (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

describe('runReadOnlySql', () => {
  it('returns columns and rows, keeping duplicate column names apart', async ({ db }) => {
    const result = await runReadOnlySql(db.url, 'SELECT name, trial_count, 1 AS x, 2 AS x FROM sweeps;');
    expect(result).toEqual({
      columns: ['name', 'trial_count', 'x', 'x'],
      rows: [[`quote's; -- "sweep"`, 4, 1, 2]],
      truncated: false,
    });
  });

  it('stops at maxRows and says the result was cut', async ({ db }) => {
    const cut = await runReadOnlySql(db.url, 'SELECT g FROM generate_series(1, 2500) g', { maxRows: 2001 });
    expect(cut.rows).toHaveLength(2001);
    expect(cut.rows.at(-1)).toEqual([2001]);
    expect(cut.truncated).toBe(true);
    const exact = await runReadOnlySql(db.url, 'SELECT g FROM generate_series(1, 2000) g', { maxRows: 2000 });
    expect(exact.rows).toHaveLength(2000);
    expect(exact.truncated).toBe(false);
  });

  it('streams large results in bounded batches, columns first', async ({ db }) => {
    const batches: number[] = [];
    let columns: string[] = [];
    const done = await streamReadOnlySql(
      db.url,
      'SELECT g AS n, g * 2 AS twice FROM generate_series(1, 4321) g',
      {
        columns: (names) => {
          expect(batches).toEqual([]);
          columns = names;
        },
        rows: (batch) => {
          batches.push(batch.length);
        },
      },
    );
    expect(columns).toEqual(['n', 'twice']);
    expect(done).toEqual({ rowCount: 4321, truncated: false });
    expect(Math.max(...batches)).toBeLessThanOrEqual(1000);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(4321);
  });

  it('gives the columns of an empty result', async ({ db }) => {
    const empty = await runReadOnlySql(db.url, 'SELECT id, name FROM sweeps WHERE false');
    expect(empty).toEqual({ columns: ['id', 'name'], rows: [], truncated: false });
  });

  it.for<[string, string]>([
    ['INSERT', `INSERT INTO sweeps (id, name, spec, trial_count) VALUES ('x', 'x', '{}', 0)`],
    ['DELETE', 'DELETE FROM trials'],
    ['DROP', 'DROP TABLE trials'],
    ['CREATE', 'CREATE TEMP TABLE scratch (x int)'],
    [
      'UPDATE in a CTE',
      `WITH gone AS (UPDATE trials SET status = 'failed' RETURNING 1) SELECT count(*) FROM gone`,
    ],
  ])('refuses %s', async ([_, sql], { db }) => {
    const error = await runReadOnlySql(db.url, sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadOnlyQueryError);
    expect((error as Error).message).toMatch(/read-only/);
    expect(await count(db, 'trials')).toBe(4);
  });

  it('refuses a second statement smuggled after the first', async ({ db }) => {
    await expect(runReadOnlySql(db.url, 'SELECT 1; COMMIT; DROP TABLE trials')).rejects.toThrow(
      /one statement at a time/,
    );
    expect(await count(db, 'trials')).toBe(4);
  });

  it('does not leak session settings into the pool', async ({ db }) => {
    await runReadOnlySql(db.url, "SELECT set_config('search_path', 'pg_catalog', false)");
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM trials');
    expect(rows[0]!.n).toBe(4);
  });

  it('reports syntax errors and timeouts clearly', async ({ db }) => {
    const syntax = await runReadOnlySql(db.url, 'SELEC 1').catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(SqlQueryError);
    expect((syntax as Error).message).toMatch(/syntax error.*character 1/);
    await expect(runReadOnlySql(db.url, 'SELECT pg_sleep(5)', { timeoutMs: 100 })).rejects.toThrow(
      /cancelled after 100 ms/,
    );
    await expect(runReadOnlySql(db.url, '  ;  ')).rejects.toThrow(/empty query/);
  });
});
