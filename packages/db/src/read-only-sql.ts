import type { Client, QueryResult } from 'pg';
import Cursor from 'pg-cursor';
import { createPool } from './connection.ts';
import { ReadOnlyQueryError, SqlQueryError } from './errors.ts';
import { connectAsReader, type ReaderLoginOptions } from './sql-reader.ts';

export interface SqlResult {
  columns: string[];
  /** One array per row, aligned with `columns` (duplicate column names stay distinct). */
  rows: unknown[][];
  /** True when the query had more rows than `maxRows`; `rows` holds the first `maxRows`. */
  truncated: boolean;
}

export interface ReadOnlySqlOptions extends ReaderLoginOptions {
  /** statement_timeout for each fetch of the query (default 30 s). */
  timeoutMs?: number;
  /** Stop after this many rows (default: all of them). */
  maxRows?: number;
}

/** Where streamed rows go: the column names once, then rows in batches, awaited (back-pressure). */
export interface SqlRowSink {
  columns(names: string[]): void | Promise<void>;
  rows(batch: unknown[][]): void | Promise<void>;
}

/** Rows fetched per round trip while streaming: bounded memory whatever the result's size. */
const FETCH_ROWS = 1000;

/**
 * Runs one statement a user typed and collects its rows (see `streamReadOnlySql`). Pass `maxRows`
 * for results of unknown size: every row is held in memory.
 */
export async function runReadOnlySql(
  databaseUrl: string,
  sql: string,
  options: ReadOnlySqlOptions = {},
): Promise<SqlResult> {
  let columns: string[] = [];
  const rows: unknown[][] = [];
  const { truncated } = await streamReadOnlySql(
    databaseUrl,
    sql,
    {
      columns: (names) => {
        columns = names;
      },
      rows: (batch) => {
        for (const row of batch) rows.push(row);
      },
    },
    options,
  );
  return { columns, rows, truncated };
}

/**
 * Runs one statement a user typed, streaming its rows through a cursor. The statement runs on a
 * connection that logs in as a role that cannot become a superuser (`satfarm_sql`, created by
 * `db migrate`, allowed to SELECT satfarm's tables and views and nothing else; see sql-reader.ts):
 * that login is the boundary. Inside it, as guards against mistakes: `BEGIN READ ONLY`, a statement
 * timeout, utility statements (DO, SET, COMMIT, COPY…) refused by their first keyword, and the
 * extended protocol, which refuses a second statement. The connection is closed afterwards.
 */
export async function streamReadOnlySql(
  databaseUrl: string,
  sql: string,
  sink: SqlRowSink,
  options: ReadOnlySqlOptions = {},
): Promise<{ rowCount: number; truncated: boolean }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  refuseBeforeRunning(sql);
  const admin = createPool(databaseUrl, { max: 1, applicationName: 'satfarm-sql' });
  let client: Client;
  try {
    client = await connectAsReader(databaseUrl, admin, options);
  } finally {
    await admin.end();
  }
  try {
    await client.query('BEGIN READ ONLY');
    await client.query("SELECT set_config('statement_timeout', $1, true)", [String(timeoutMs)]);
    return await drain(client, sql, sink, maxRows).catch((error: unknown) => {
      throw describeSqlError(error, sql, timeoutMs);
    });
  } finally {
    // Closing the connection also rolls the transaction back.
    await client.end().catch(() => {});
  }
}

async function drain(
  client: Client,
  sql: string,
  sink: SqlRowSink,
  maxRows: number,
): Promise<{ rowCount: number; truncated: boolean }> {
  const cursor = client.query(new Cursor<unknown[]>(sql, [], { rowMode: 'array' }));
  let rowCount = 0;
  let first = true;
  for (;;) {
    // One more row than asked for tells a result that fits from one that was cut.
    const want = Math.min(FETCH_ROWS, maxRows - rowCount + 1);
    const { rows, result } = await read(cursor, want);
    if (first) {
      await sink.columns((result.fields ?? []).map((f) => f.name));
      first = false;
    }
    const keep = rows.slice(0, Math.max(0, maxRows - rowCount));
    if (keep.length > 0) await sink.rows(keep);
    rowCount += keep.length;
    if (rows.length > keep.length) return { rowCount, truncated: true };
    if (rows.length < want) return { rowCount, truncated: false };
  }
}

/** Cursor.read with the result's field list, which the promise form drops. */
function read(cursor: Cursor<unknown[]>, rows: number): Promise<{ rows: unknown[][]; result: QueryResult }> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (error, batch, result) => (error ? reject(error) : resolve({ rows: batch, result })));
  });
}

/** Empty input and utility statements never reach the server. */
function refuseBeforeRunning(sql: string): void {
  if (/^[\s;]*$/.test(sql)) {
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

/**
 * The first keyword of a statement, past whitespace, opening parentheses and comments (nested too),
 * read as PostgreSQL's lexer reads them: a `--` comment ends at a newline *or* a carriage return.
 */
export function leadingKeyword(sql: string): string {
  let i = 0;
  for (;;) {
    while (i < sql.length && /[\s(]/.test(sql[i]!)) i += 1;
    if (sql.startsWith('--', i)) {
      while (i < sql.length && sql[i] !== '\n' && sql[i] !== '\r') i += 1;
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
      `${error.message} (satfarm sql runs as a role that may only read satfarm's tables and views)`,
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
