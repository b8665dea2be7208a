/**
 * `satfarm sql` over results larger than a terminal or the heap: a 200,000-row table used to die with
 * "Maximum call stack size exceeded" (column widths by spreading every cell), and `--json` over
 * millions of rows ran out of heap. The table is capped and says so; JSON streams.
 */
import type { TestDatabase } from '@satfarm/db/testing';
import { it } from '@satfarm/db/vitest';
import { describe, expect } from 'vitest';
import { runCli } from './run-cli.ts';

const sql = (db: TestDatabase, args: string[], env: Record<string, string> = {}) =>
  runCli(['sql', ...args], { DATABASE_URL: db.url, ...env });

describe('satfarm sql with large results', () => {
  it('prints a 200,000-row table when asked to', async ({ db }) => {
    const run = await sql(db, [
      'SELECT g, g * 2 AS twice FROM generate_series(1, 200000) g',
      '--limit',
      '200000',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(200_003); // header, rule, rows, count
    expect(lines.at(-1)).toBe('(200000 rows)');
  });

  it('shows the first 1,000 rows of a table by default and says there are more', async ({ db }) => {
    const run = await sql(db, ['SELECT g FROM generate_series(1, 5000) g']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1_003);
    expect(lines.at(-1)).toMatch(/^\(first 1000 rows; there are more: .*--limit.*--json\)$/);
  });

  it('streams --json over a million rows in a 96 MB heap (a collected result needs several times that)', async ({
    db,
  }) => {
    const run = await sql(db, ['SELECT g FROM generate_series(1, 1000000) g', '--json'], {
      NODE_OPTIONS: '--max-old-space-size=96',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { columns: string[]; rows: number[][]; truncated?: boolean };
    expect(parsed.columns).toEqual(['g']);
    expect(parsed.rows).toHaveLength(1_000_000);
    expect(parsed.rows.at(-1)).toEqual([1_000_000]);
    expect(parsed.truncated).toBeUndefined();
  }, 120_000);

  it('marks JSON cut by --limit', async ({ db }) => {
    const run = await sql(db, ['SELECT g FROM generate_series(1, 10) g', '--json', '--limit', '3']);
    expect(JSON.parse(run.stdout)).toEqual({ columns: ['g'], rows: [[1], [2], [3]], truncated: true });
  });

  it.for(['0', '-5', '2.5', 'many', '1e3'])('refuses --limit %s, naming the flag', async (limit, { db }) => {
    const run = await sql(db, ['SELECT 1', '--limit', limit]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(`--limit: got "${limit.replace('.', '\\.')}"; expected an integer`),
    );
  });
});
