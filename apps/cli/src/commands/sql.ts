import { once } from 'node:events';
import { runReadOnlySql, streamReadOnlySql } from '@satfarm/db';
import type { Command } from 'commander';
import type { SatfarmEnv } from '../env.ts';
import { UsageError } from '../errors.ts';
import { jsonText, table } from '../format.ts';

/** Rows a table shows unless told otherwise: a table is for reading, `--json` for everything. */
const TABLE_ROWS = 1000;

export function registerSql(program: Command, env: () => SatfarmEnv): void {
  program
    .command('sql')
    .description(
      "run one read-only SQL statement against the results, as the role satfarm_sql (it can only read satfarm's tables and views)",
    )
    .argument('<statement>', 'e.g. "SELECT * FROM resolution_summary"')
    .option('--json', 'print JSON ({ columns, rows }), streamed: any number of rows')
    .option(
      '--limit <rows>',
      `stop after this many rows (table default ${TABLE_ROWS}, --json: all)`,
      limitFlag,
    )
    .action(async (statement: string, flags: { json?: boolean; limit?: number }) => {
      const { databaseUrl, databaseReaderUrl } = env();
      const login = { readerUrl: databaseReaderUrl };
      if (flags.json) {
        await printJson(databaseUrl, statement, { ...login, maxRows: flags.limit });
        return;
      }
      const maxRows = flags.limit ?? TABLE_ROWS;
      const result = await runReadOnlySql(databaseUrl, statement, { ...login, maxRows });
      const shown = `${result.rows.length} rows`;
      const footer = result.truncated
        ? `(first ${shown}; there are more: narrow the query, raise --limit, or use --json)`
        : `(${shown})`;
      process.stdout.write(
        `${table(
          result.columns,
          result.rows.map((r) => r.map(cellText)),
        )}\n${footer}\n`,
      );
    });
}

function limitFlag(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--limit: got ${JSON.stringify(value)}; expected an integer >= 1 (rows)`);
  }
  return n;
}

function cellText(v: unknown): string {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * `{"columns":[…],"rows":[…]}` written as the rows arrive, waiting for stdout to drain, so a result of
 * millions of rows never sits in memory. `"truncated": true` is added when --limit cut it.
 */
async function printJson(
  databaseUrl: string,
  statement: string,
  options: Parameters<typeof streamReadOnlySql>[3],
): Promise<void> {
  const out = process.stdout;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let rowsWritten = 0;
  const { truncated } = await streamReadOnlySql(
    databaseUrl,
    statement,
    {
      columns: (names) => write(`{"columns":${jsonText(names)},"rows":[`),
      rows: async (batch) => {
        const text = batch.map((row) => jsonText(row)).join(',');
        await write(rowsWritten === 0 ? text : `,${text}`);
        rowsWritten += batch.length;
      },
    },
    options,
  );
  await write(`]${truncated ? ',"truncated":true' : ''}}\n`);
}
