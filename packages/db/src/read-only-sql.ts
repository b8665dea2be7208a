import type { Pool, QueryArrayConfig } from 'pg';
import { connect } from './connection.ts';
import { ReadOnlyQueryError, SqlQueryError } from './errors.ts';

export interface SqlResult {
  columns: string[];
  /** One array per row, aligned with `columns` (duplicate column names stay distinct). */
  rows: unknown[][];
}

export interface ReadOnlySqlOptions {
  /** statement_timeout for the query (default 30 s). */
  timeoutMs?: number;
}

/**
 * Runs one statement a user typed inside `BEGIN READ ONLY` with a statement timeout. Only queries
 * run (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW); writes are refused with ReadOnlyQueryError. The
 * statement goes through the extended protocol, which refuses a second statement (no
 * `SELECT 1; COMMIT; DROP …`), and the connection is closed afterwards so no session setting
 * (`set_config`, advisory locks) leaks into the pool. When the connection's role may, the statement
 * runs as `pg_read_all_data`, so server-side programs and files are out of reach. On a superuser's
 * connection a SELECT can still take the role back (`set_config('role', …)`) and read server files:
 * this is a guard against mistakes, not a security boundary; give untrusted users a role that can
 * only SELECT (docs/operations.md).
 */
export async function runReadOnlySql(
  pool: Pool,
  sql: string,
  options: ReadOnlySqlOptions = {},
): Promise<SqlResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (sql.trim() === '' || /^[\s;]*$/.test(sql)) {
    throw new SqlQueryError(
      'empty query: give one SQL statement, e.g. SELECT * FROM trial_summary LIMIT 10',
      undefined,
      undefined,
    );
  }
  const keyword = leadingKeyword(sql);
  if (UTILITY_KEYWORDS.has(keyword)) {
    throw new ReadOnlyQueryError(
      sql,
      `${keyword.toUpperCase()} is not a query: only SELECT, WITH, VALUES, TABLE, EXPLAIN and SHOW statements run here`,
    );
  }
  const client = await connect(pool);
  try {
    await client.query('BEGIN READ ONLY');
    await client.query("SELECT set_config('statement_timeout', $1, true)", [String(timeoutMs)]);
    const role = await client.query<{ member: boolean }>(
      `SELECT pg_has_role(current_user, 'pg_read_all_data', 'MEMBER') AS member`,
    );
    if (role.rows[0]?.member === true) await client.query('SET LOCAL ROLE pg_read_all_data');
    try {
      // `queryMode` (node-postgres ≥ 8.12) is missing from @types/pg; a variable skips the excess-property check.
      const query: QueryArrayConfig & { queryMode: 'extended' } = {
        text: sql,
        rowMode: 'array',
        queryMode: 'extended',
      };
      const result = await client.query<unknown[]>(query);
      return { columns: (result.fields ?? []).map((f) => f.name), rows: result.rows ?? [] };
    } catch (error) {
      throw describeSqlError(error, sql, timeoutMs);
    }
  } finally {
    // Closing (not pooling) the connection also rolls the transaction back.
    client.release(true);
  }
}

/**
 * The first words of PostgreSQL's utility statements, refused before they reach the server: a read-only
 * transaction stops writes to tables (INSERT, UPDATE, DELETE and MERGE are left to it), but not a `DO`
 * block that, on a superuser's connection, switches the role back and runs `COPY … TO PROGRAM`, nor
 * `SET`, `COMMIT`, `CALL` and the like. Any other first word is a query or a typo the server reports.
 */
const UTILITY_KEYWORDS = new Set(
  (
    'abort alter analyze begin call checkpoint close cluster comment commit copy create deallocate ' +
    'declare discard do drop end execute fetch grant import listen load lock move notify prepare ' +
    'reassign refresh reindex release reset revoke rollback savepoint security set start truncate ' +
    'unlisten vacuum'
  ).split(' '),
);

/** The first keyword of a statement, past whitespace, opening parentheses and comments (nested too). */
function leadingKeyword(sql: string): string {
  let i = 0;
  for (;;) {
    while (i < sql.length && /[\s(]/.test(sql[i]!)) i += 1;
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (sql.startsWith('/*', i)) {
      let depth = 0;
      while (i < sql.length) {
        if (sql.startsWith('/*', i)) {
          depth += 1;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth -= 1;
          i += 2;
          if (depth === 0) break;
        } else i += 1;
      }
      continue;
    }
    break;
  }
  return /^[A-Za-z_]+/.exec(sql.slice(i))?.[0].toLowerCase() ?? '';
}

function describeSqlError(error: unknown, sql: string, timeoutMs: number): Error {
  const pgError = error as { code?: string; message?: string; position?: string } | null;
  const code = pgError?.code;
  if (typeof code !== 'string' || !(error instanceof Error))
    return error instanceof Error ? error : new Error(String(error));
  const position = pgError?.position === undefined ? undefined : Number(pgError.position);
  if (code === '25006') return new ReadOnlyQueryError(sql, error.message, { cause: error });
  if (code === '42501') {
    return new SqlQueryError(
      `${error.message} (queries here run with read-only privileges)`,
      code,
      position,
      {
        cause: error,
      },
    );
  }
  if (code === '57014') {
    return new SqlQueryError(
      `query cancelled after ${timeoutMs} ms (statement timeout); narrow it with WHERE or LIMIT`,
      code,
      position,
      {
        cause: error,
      },
    );
  }
  if (code === '42601' && /multiple commands/.test(error.message)) {
    return new SqlQueryError(
      'one statement at a time: remove the extra statements after the first `;`',
      code,
      position,
      {
        cause: error,
      },
    );
  }
  const where =
    position === undefined ? '' : ` at character ${position}: ${JSON.stringify(near(sql, position))}`;
  return new SqlQueryError(`${error.message}${where}`, code, position, { cause: error });
}

function near(sql: string, position: number): string {
  const start = Math.max(0, position - 1);
  return sql.slice(start, start + 30);
}
