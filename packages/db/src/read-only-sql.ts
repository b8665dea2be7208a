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
 * Runs one statement a user typed inside `BEGIN READ ONLY` with a statement timeout. Writes are
 * refused with ReadOnlyQueryError. The statement goes through the extended protocol, which refuses a
 * second statement (no `SELECT 1; COMMIT; DROP …`), and the connection is closed afterwards so no
 * session setting (`SET …`, advisory locks) leaks into the pool. When the connection's role may, the
 * statement runs as `pg_read_all_data`, so even a superuser URL cannot call server-side programs.
 * This is a guard against mistakes, not a security boundary: give untrusted users a role that can
 * only SELECT.
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
